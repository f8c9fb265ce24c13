use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::db::PgPool;
use tokio_util::sync::CancellationToken;

use crate::{consumer, Catalog, Connector, Engine, SyncError};

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub amqp_url: String,
    pub topology: Topology,
    pub prefetch: u16,
    pub max_attempts: u32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// How long a change blocked by something a person must fix outside
    /// waits before it is tried again ([`SyncError::Missing`]).
    pub blocked_retry: Duration,
    /// Every integration in force (SYNC_INTEGRATIONS).
    pub integrations: Vec<String>,
}

impl WorkerConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            amqp_url: settings.broker.url.clone(),
            topology: Topology::new(&settings.broker.prefix, settings.sync.retry_base_delay_ms, settings.sync.retry_max_delay_ms),
            prefetch: settings.sync.prefetch,
            max_attempts: settings.sync.retry_max_attempts,
            retry_base: Duration::from_millis(settings.sync.retry_base_delay_ms),
            retry_max: Duration::from_millis(settings.sync.retry_max_delay_ms),
            blocked_retry: Duration::from_secs(settings.sync.blocked_retry_seconds),
            integrations: settings.integrations(),
        }
    }
}

/// A worker of any pair: a process runs the workers of every pair it is
/// given, side by side.
pub trait AnyWorker: Send + 'static {
    /// Consumes until `shutdown` (see [`Worker::run`]).
    fn run_boxed(self: Box<Self>, shutdown: CancellationToken) -> Pin<Box<dyn Future<Output = ()> + Send>>;

    /// The connector's check of the outside system (see `Connector::preflight`).
    fn preflight_boxed(&self) -> Pin<Box<dyn Future<Output = Result<(), SyncError>> + Send + '_>>;
}

impl<C: Catalog, K: Connector<C::Record>> AnyWorker for Worker<C, K> {
    fn run_boxed(self: Box<Self>, shutdown: CancellationToken) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(self.run(shutdown))
    }

    fn preflight_boxed(&self) -> Pin<Box<dyn Future<Output = Result<(), SyncError>> + Send + '_>> {
        Box::pin(self.engine.connector().preflight())
    }
}

/// One worker process's consumer for one (catalog, integration) pair.
pub struct Worker<C: Catalog, K: Connector<C::Record>> {
    pub(crate) config: WorkerConfig,
    pub(crate) engine: Engine<C, K>,
}

impl<C: Catalog, K: Connector<C::Record>> Worker<C, K> {
    pub fn new(pool: PgPool, connector: Arc<K>, config: WorkerConfig) -> Self {
        let integrations = config.integrations.clone();
        Self { config, engine: Engine::new(pool, connector, integrations) }
    }

    pub fn engine(&self) -> &Engine<C, K> {
        &self.engine
    }

    /// Consumes until `shutdown`, reconnecting after a lost broker.
    pub async fn run(self, shutdown: CancellationToken) {
        let this = Arc::new(self);
        let mut backoff = Duration::from_millis(100);
        while !shutdown.is_cancelled() {
            match consumer::consume(this.clone(), &shutdown).await {
                Ok(()) => break,
                Err(e) => {
                    log::warn!("sync-worker lost RabbitMQ (reconnecting in {backoff:?}): {e}");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.cancelled() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Delay before attempt `attempt + 1`: exponential with jitter, never
    /// shorter than what Stripe asked for in `Retry-After`.
    pub(crate) fn retry_delay(&self, attempt: u32, error: &SyncError) -> Duration {
        let exp = self.config.retry_base.saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1))).min(self.config.retry_max);
        let jittered = exp.mul_f64(rand::random_range(0.5..=1.0));
        match error {
            SyncError::Transient { retry_after: Some(after), .. } => jittered.max(*after),
            SyncError::Missing { .. } => self.config.blocked_retry,
            _ => jittered,
        }
    }
}
