//! The sync worker: takes change messages off RabbitMQ and makes each
//! integration agree with the current state of the catalog entity. The
//! machinery is `sync-core`'s and the pairs come from `wiring`; this crate
//! runs the workers of the pairs it is given and serves `/metrics`,
//! `/health` and `/ready`.

mod metrics_server;
mod pairs;

pub use metrics_server::{MetricsServer, PORT_RANGE as METRICS_PORT_RANGE};
pub use pairs::{run as run_pair, PairStates};
pub use wiring::{customers_to_stripe, workers};
