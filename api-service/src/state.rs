use std::sync::Arc;

use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::db::PgPool;
use shared_models::pairs::Registry;
use tokio::sync::Notify;

use sync_core::BrokerStatus;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub integrations: Arc<Vec<String>>,
    /// The pairs in force: queues, dead letters and `/sync/status` per pair.
    pub registry: Arc<Registry>,
    /// Checks API keys (see `auth`).
    pub auth: Arc<shared_models::auth::Authenticator>,
    /// Wakes the relay as soon as a change is committed.
    pub relay_wakeup: Arc<Notify>,
    pub broker: BrokerStatus,
    pub topology: Topology,
    /// For what the operations endpoints open on their own (RabbitMQ
    /// connections, a reconcile's Stripe client).
    pub settings: Arc<Settings>,
}
