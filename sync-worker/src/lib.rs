//! The sync worker: takes change messages off RabbitMQ and makes one
//! integration agree with the current state of the catalog entity.
//!
//! The machinery (`engine`, `consumer`) is generic over a [`Catalog`] (what
//! is synced: customers) and a [`Connector`] (where to: Stripe). Another
//! integration or catalog is another pair of implementations.

mod catalog;
mod connector;
mod consumer;
mod engine;
mod error;
mod metrics_server;
mod rate_limit;
pub mod stripe;
mod worker;

pub use catalog::{Catalog, CustomerRecord, Customers, Snapshot};
pub use connector::Connector;
pub use engine::{Engine, Synced};
pub use error::SyncError;
pub use metrics_server::{MetricsServer, PORT_RANGE as METRICS_PORT_RANGE};
pub use rate_limit::SharedRateLimit;
pub use worker::{Worker, WorkerConfig};
