//! What the catalog-sync services share: the catalog's types (parsed, never
//! merely validated), the database schema and its access functions, the
//! RabbitMQ topology, and the settings every service reads at start.

pub mod auth;
pub mod broker;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod pairs;
pub mod reconcile;
pub mod schema;
pub mod sync;
mod text_enum;

pub use error::Error;

/// Starts env_logger with `RUST_LOG` (default `info`). Safe to call twice.
pub fn init_logging() {
    let _ = env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).format_timestamp_millis().try_init();
}
