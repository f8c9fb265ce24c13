use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App};
use shared_models::auth::Authenticator;
use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::db::{self, PgPool};
use shared_models::metrics;
use shared_models::pairs::Registry;
use sync_core::inward::{FeedEntry, Poller, Processor, RetryPolicy};
use sync_core::reconcile::RequestRunner;
use sync_core::{BrokerStatus, Relay, RelayConfig};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::{readiness, routes, Error};

pub struct AppState {
    pub pool: PgPool,
    /// The feed of every integration in force, and how it is taken in.
    pub feeds: Vec<FeedEntry>,
    /// Tells the processor that the inbox has something new.
    pub wake: Arc<Notify>,
}

/// webhook-service: the webhook endpoints, the inbox processor, the outbox
/// relay, the runner of reconciles requested over the API and, in poll mode,
/// a poller of each integration's event list.
pub struct Application {
    port: u16,
    server: Server,
    processor: Processor,
    pollers: Vec<Poller>,
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
        let registry = Registry::from_settings(settings)?;
        let pool = db::build_pool(&settings.database.url, settings.database.pool_size)?;
        let inward = wiring::inward(settings, &pool)?;
        let wake = Arc::new(Notify::new());

        let retry = RetryPolicy {
            max_attempts: settings.sync.retry_max_attempts,
            base_delay: Duration::from_millis(settings.sync.retry_base_delay_ms),
            max_delay: Duration::from_millis(settings.sync.retry_max_delay_ms),
        };
        let processor = Processor::new(pool.clone(), inward.pairs.clone(), wake.clone(), retry, settings.sync.inbox_retention_hours);
        let reconciles = RequestRunner::new(pool.clone(), inward.pairs.clone());
        // What this service applies from an integration reaches the other
        // integrations through its own relay, whether or not an api-service runs.
        let relay = Relay::new(
            pool.clone(),
            RelayConfig {
                amqp_url: settings.broker.url.clone(),
                topology: Topology::new(&settings.broker.prefix, settings.sync.retry_base_delay_ms, settings.sync.retry_max_delay_ms),
                pairs: registry.queues(),
                name: "webhook-service relay".into(),
                batch_size: settings.broker.relay_batch_size,
                poll_interval: Duration::from_millis(settings.broker.relay_poll_interval_ms),
                retention_hours: settings.broker.outbox_retention_hours,
            },
            Arc::new(Notify::new()),
            BrokerStatus::default(),
        );
        let pollers = inward
            .feeds
            .iter()
            .filter(|f| f.poll)
            .map(|f| Poller::new(pool.clone(), f.feed.clone(), f.poll_interval, wake.clone()))
            .collect();

        let state = web::Data::new(AppState { pool, feeds: inward.feeds, wake });
        let io = |e: std::io::Error| {
            Error::Config(format!("cannot listen on {}:{}: {e}", settings.http.bind_address, settings.http.webhook_port))
        };
        let listener = TcpListener::bind((settings.http.bind_address.as_str(), settings.http.webhook_port)).map_err(io)?;
        let port = listener.local_addr().map_err(io)?.port();
        let timeout = settings.http.request_timeout();
        let auth = Arc::new(Authenticator::new(state.pool.clone(), settings.http.auth_enabled(), settings.http.api_bootstrap_key.as_ref()));
        let server = shared_models::http::serve(listener, shared_models::http::Serve::default(), move || {
            let auth = auth.clone();
            App::new()
                .app_data(state.clone())
                .wrap(shared_models::http::access_log())
                .wrap(from_fn(|req, next| metrics::track_requests("webhook-service", req, next)))
                .wrap(from_fn(move |req, next| shared_models::http::deadline(timeout, req, next)))
                .wrap(from_fn(shared_models::http::head_as_get))
                .service(
                    web::resource("/webhooks/{integration}")
                        .route(web::post().to(routes::receive))
                        .default_service(web::to(routes::method_not_allowed)),
                )
                .route("/health", web::get().to(routes::health))
                .route("/ready", web::get().to(readiness::ready))
                .route("/metrics", web::get().to(move |req| shared_models::auth::metrics(auth.clone(), req)))
                .default_service(web::to(routes::not_found))
        })
        .map_err(io)?;
        Ok(Self { port, server, processor, pollers, reconciles, relay, shutdown: CancellationToken::new() })
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
        let pollers: Vec<_> = self.pollers.into_iter().map(|p| tokio::spawn(p.run(self.shutdown.clone()))).collect();
        let served = self.server.await;
        self.shutdown.cancel();
        let _ = processor.await;
        let _ = reconciles.await;
        let _ = relay.await;
        for poller in pollers {
            let _ = poller.await;
        }
        served
    }
}
