//! Receives the integrations' changes and applies them to the catalog:
//! signed webhooks at `/webhooks/{integration}` and, without a public URL,
//! a poller of each integration's event list. Both feed one inbox, applied
//! once per event by the sync core's inward rules. It also runs the outbox
//! relay and the reconciles requested over the API. Which pairs run comes
//! from the registry, bound in `wiring`.

mod error;
mod readiness;
mod routes;
mod startup;
mod terminal;

/// Reconcile, as the sync core runs it, and its progress on a terminal.
pub mod reconcile {
    pub use crate::terminal::TerminalProgress;
    pub use sync_core::reconcile::*;
}

pub use error::Error;
pub use startup::{AppState, Application, StopHandle};
