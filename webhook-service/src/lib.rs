//! Receives Stripe's changes and applies them to the catalog: webhooks
//! (signature checked with ring) and, without a public URL, a poller of
//! Stripe's event list. Both feed one inbox, applied once per event.

mod error;
pub mod event;
pub mod inbound;
mod readiness;
pub mod reconcile;
mod routes;
pub mod signature;
mod startup;
pub mod stripe_api;

pub use error::Error;
pub use startup::{AppState, Application, StopHandle};
