//! The customer catalog's REST API. Each change commits together with its
//! outbox message; the relay then publishes those messages to RabbitMQ.

mod auth;
mod error;
mod idempotency;
pub mod invoice_views;
mod inward_views;
mod openapi;
mod openapi_security;
pub mod operations;
mod outward_views;
mod routes;
mod startup;
mod state;
mod sync_views;
mod views;

pub use error::ApiError;
pub use startup::Application;
pub use views::{CustomerPage, CustomerView, SyncView};
