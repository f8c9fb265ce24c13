//! The sync core: keeps a catalog and an integration in agreement both
//! ways, knowing neither by name.
//!
//! - Outward, a catalog implements [`Catalog`] (`catalogs/`) and an
//!   integration implements [`Connector`] for its record (`integrations/`);
//!   the engine, its write journal, the consumer, the retries and the shared
//!   rate limit work for any pair.
//! - Inward, the catalog implements [`inward::InwardCatalog`], the
//!   integration a [`inward::Feed`] (its event stream) and a
//!   [`inward::Source`] per catalog; the inbox, its processor, the poller,
//!   the inward rules and [`reconcile`] work for any pair.

mod catalog;
mod connector;
mod consumer;
mod engine;
mod error;
pub mod inward;
mod rate_limit;
pub mod reconcile;
mod relay;
mod worker;

pub use catalog::{Catalog, Readiness, Snapshot};
pub use connector::{Connector, Precondition};
pub use engine::{Engine, Synced};
pub use error::SyncError;
pub use rate_limit::SharedRateLimit;
pub use relay::{BrokerStatus, Relay, RelayConfig};
pub use worker::{AnyWorker, Worker, WorkerConfig};
