//! The sync worker: takes change messages off RabbitMQ and makes each
//! integration agree with the current state of the catalog entity. The
//! machinery is `sync-core`'s; this crate wires the pairs in force to it
//! and serves the worker's `/metrics` and `/health`.

mod metrics_server;

use std::sync::Arc;
use std::time::Duration;

use customer_catalog::Customers;
use shared_models::config::Settings;
use shared_models::db;
use stripe_integration::StripeCustomers;
use sync_core::{SharedRateLimit, Worker, WorkerConfig};

pub use metrics_server::{MetricsServer, PORT_RANGE as METRICS_PORT_RANGE};

/// The customer catalog synced to Stripe, as configured.
pub fn customers_to_stripe(settings: &Settings) -> Result<Worker<Customers, StripeCustomers>, shared_models::Error> {
    let secret = Settings::require(&settings.stripe_secret_key, "STRIPE_SECRET_KEY")?;
    // Each message in hand holds two connections (its turn on the entity,
    // and one short transaction at a time), and the rate limit one briefly.
    let pool = db::build_pool(&settings.database_url, settings.database_pool_size.max(2 * u32::from(settings.worker_prefetch) + 2))?;
    let limiter = SharedRateLimit::new(pool.clone(), "stripe", settings.stripe_rate_limit_per_second);
    let connector = StripeCustomers::new(&settings.stripe_api_base, secret, Duration::from_millis(settings.stripe_timeout_ms), limiter)
        .map_err(|e| shared_models::Error::Config(e.to_string()))?;
    Ok(Worker::new(pool, Arc::new(connector), WorkerConfig::from_settings(settings)))
}
