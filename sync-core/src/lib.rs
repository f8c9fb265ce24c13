//! The sync core: makes an integration agree with a catalog, knowing
//! neither by name. A catalog implements [`Catalog`] (`catalogs/`), an
//! integration implements [`Connector`] for a catalog's record
//! (`integrations/`); the engine, the consumer, the retries and the shared
//! rate limit work for any pair.

mod catalog;
mod connector;
mod consumer;
mod engine;
mod error;
mod rate_limit;
mod relay;
mod worker;

pub use catalog::{Catalog, Snapshot};
pub use connector::Connector;
pub use engine::{Engine, Synced};
pub use error::SyncError;
pub use rate_limit::SharedRateLimit;
pub use relay::{BrokerStatus, Relay, RelayConfig};
pub use worker::{Worker, WorkerConfig};
