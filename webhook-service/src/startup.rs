use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpServer};
use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::db::{self, PgPool};
use shared_models::metrics;
use shared_models::sync::CUSTOMER;
use sync_core::{BrokerStatus, Relay, RelayConfig, SharedRateLimit};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::inbound::{Applier, Poller, Processor, RetryPolicy};
use crate::reconcile::RequestRunner;
use crate::signature::Verifier;
use crate::stripe_api::StripeApi;
use crate::{readiness, routes, Error};

pub struct AppState {
    pub pool: PgPool,
    pub verifier: Verifier,
    pub webhooks_on: bool,
    /// This instance polls Stripe's events (its health counts for `/ready`).
    pub polling: bool,
    /// Tells the processor that the inbox has something new.
    pub wake: Arc<Notify>,
}

/// webhook-service: the webhook endpoint, the inbox processor, the outbox
/// relay, the runner of reconciles requested over the API and, in poll mode,
/// the poller of Stripe's event list.
pub struct Application {
    port: u16,
    server: Server,
    processor: Processor,
    poller: Option<Poller>,
    reconciles: RequestRunner,
    relay: Relay,
    shutdown: CancellationToken,
}

/// Stops a running application (tests stop and restart it).
#[derive(Clone)]
pub struct StopHandle {
    server: ServerHandle,
    shutdown: CancellationToken,
}

impl StopHandle {
    pub async fn stop(&self) {
        self.shutdown.cancel();
        self.server.stop(true).await;
    }
}

impl Application {
    /// Binds `BIND_ADDRESS:WEBHOOK_PORT` (0 picks a free port: see `port()`).
    pub fn build(settings: &Settings) -> Result<Self, Error> {
        let mode = settings.inward()?;
        let secrets = settings.webhook_secrets();
        let webhooks_on = match (mode.webhook, mode.poll, secrets.is_empty()) {
            (true, false, true) => return Err(Error::Config("STRIPE_WEBHOOK_SECRET is required when INWARD_MODE is webhook".into())),
            (true, true, true) => {
                // A first run without a webhook endpoint in Stripe yet: the
                // poller alone keeps the catalog in sync meanwhile.
                log::warn!("STRIPE_WEBHOOK_SECRET is not set: webhooks are refused and Stripe's changes arrive by polling only");
                false
            }
            (webhook, _, _) => webhook,
        };
        if settings.stripe_webhook_tolerance_seconds == 0 {
            return Err(Error::Config("STRIPE_WEBHOOK_TOLERANCE_SECONDS must be at least 1".into()));
        }
        let pool = db::build_pool(&settings.database_url, settings.database_pool_size)?;
        // Also needed in webhook mode: two events of the same second are
        // settled by reading the customer from Stripe.
        let api = stripe_api(settings, &pool)?;
        let wake = Arc::new(Notify::new());

        let retry = RetryPolicy {
            max_attempts: settings.retry_max_attempts,
            base_delay: Duration::from_millis(settings.retry_base_delay_ms),
            max_delay: Duration::from_millis(settings.retry_max_delay_ms),
        };
        let applier = Arc::new(Applier::new(api.clone(), settings.integrations()));
        let processor = Processor::new(pool.clone(), applier.clone(), wake.clone(), retry, settings.inbox_retention_hours);
        let reconciles = RequestRunner::new(pool.clone(), applier);
        // What this service applies from Stripe reaches the other
        // integrations through its own relay, whether or not an api-service runs.
        let relay = Relay::new(
            pool.clone(),
            RelayConfig {
                amqp_url: settings.amqp_url.clone(),
                topology: Topology::new(&settings.amqp_prefix, settings.retry_base_delay_ms, settings.retry_max_delay_ms),
                pairs: settings.integrations().into_iter().map(|i| (i, CUSTOMER.to_owned())).collect(),
                name: "webhook-service relay".into(),
                batch_size: settings.relay_batch_size,
                poll_interval: Duration::from_millis(settings.relay_poll_interval_ms),
                retention_hours: settings.outbox_retention_hours,
            },
            Arc::new(Notify::new()),
            BrokerStatus::default(),
        );
        let poller =
            mode.poll.then(|| Poller::new(pool.clone(), api, Duration::from_millis(settings.stripe_poll_interval_ms), wake.clone()));

        let state = web::Data::new(AppState {
            pool,
            verifier: Verifier::new(&secrets, settings.stripe_webhook_tolerance_seconds),
            webhooks_on,
            polling: mode.poll,
            wake,
        });
        let io = |e: std::io::Error| Error::Config(format!("cannot listen on {}:{}: {e}", settings.bind_address, settings.webhook_port));
        let listener = TcpListener::bind((settings.bind_address.as_str(), settings.webhook_port)).map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(from_fn(|req, next| metrics::track_requests("webhook-service", req, next)))
                .service(
                    web::resource("/webhooks/stripe")
                        .route(web::post().to(routes::receive))
                        .default_service(web::to(routes::method_not_allowed)),
                )
                .route("/health", web::get().to(routes::health))
                .route("/ready", web::get().to(readiness::ready))
                .route("/metrics", web::get().to(metrics::serve))
                .default_service(web::to(routes::not_found))
        })
        .listen(listener)
        .map_err(io)?
        .shutdown_timeout(10)
        .run();
        Ok(Self { port, server, processor, poller, reconciles, relay, shutdown: CancellationToken::new() })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stop_handle(&self) -> StopHandle {
        StopHandle { server: self.server.handle(), shutdown: self.shutdown.clone() }
    }

    /// Serves until stopped (signal or `StopHandle`); the processor, the
    /// poller and the runner of requested reconciles run alongside and stop
    /// with it.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let processor = tokio::spawn(self.processor.run(self.shutdown.clone()));
        let reconciles = tokio::spawn(self.reconciles.run(self.shutdown.clone()));
        let relay = tokio::spawn(self.relay.run(self.shutdown.clone()));
        let poller = self.poller.map(|p| tokio::spawn(p.run(self.shutdown.clone())));
        let served = self.server.await;
        self.shutdown.cancel();
        let _ = processor.await;
        let _ = reconciles.await;
        let _ = relay.await;
        if let Some(poller) = poller {
            let _ = poller.await;
        }
        served
    }
}

/// The Stripe client of the inward sync, under the rate limit the workers share.
pub(crate) fn stripe_api(settings: &Settings, pool: &PgPool) -> Result<Arc<StripeApi>, Error> {
    let key = Settings::require(&settings.stripe_secret_key, "STRIPE_SECRET_KEY")?;
    let api = StripeApi::new(&settings.stripe_api_base, key, Duration::from_millis(settings.stripe_timeout_ms))
        .map_err(|e| Error::Config(format!("cannot build the Stripe client: {e}")))?;
    let limiter = SharedRateLimit::new(pool.clone(), "stripe", settings.stripe_rate_limit_per_second);
    Ok(Arc::new(api.with_rate_limit(limiter)))
}
