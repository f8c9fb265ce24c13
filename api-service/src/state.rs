use std::sync::Arc;

use shared_models::db::PgPool;
use tokio::sync::Notify;

use crate::relay::BrokerStatus;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub integrations: Arc<Vec<String>>,
    /// Wakes the relay as soon as a change is committed.
    pub relay_wakeup: Arc<Notify>,
    pub broker: BrokerStatus,
}
