use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpRequest};
use shared_models::auth::Authenticator;
use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::db;
use shared_models::metrics;
use shared_models::pairs::Registry;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use utoipa_actix_web::AppExt;

use crate::error::ApiError;
use crate::state::AppState;
use crate::{openapi, routes};
use sync_core::{BrokerStatus, Relay, RelayConfig};

/// Largest JSON body accepted; a customer is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The HTTP server plus its outbox relay, bound but not yet running.
pub struct Application {
    port: u16,
    server: Server,
    relay: JoinHandle<()>,
    shutdown: CancellationToken,
}

impl Application {
    /// Binds `BIND_ADDRESS:API_PORT` (port 0 picks a free one: see `port()`).
    /// Does not migrate: `main` does that first, tests do it per database.
    pub async fn build(settings: Settings) -> Result<Self, std::io::Error> {
        let listener = TcpListener::bind((settings.http.bind_address.as_str(), settings.http.api_port))?;
        let port = listener.local_addr()?.port();
        let pool = db::build_pool(&settings.database.url, settings.database.pool_size).map_err(std::io::Error::other)?;
        let registry = Arc::new(Registry::from_settings(&settings).map_err(std::io::Error::other)?);
        let integrations = Arc::new(registry.integrations().to_vec());
        let broker = BrokerStatus::default();
        let relay_wakeup = Arc::new(Notify::new());
        let shutdown = CancellationToken::new();

        let topology = Topology::new(&settings.broker.prefix, settings.sync.retry_base_delay_ms, settings.sync.retry_max_delay_ms);
        let relay = Relay::new(
            pool.clone(),
            RelayConfig {
                amqp_url: settings.broker.url.clone(),
                topology: topology.clone(),
                pairs: registry.queues(),
                name: "api-service relay".into(),
                batch_size: settings.broker.relay_batch_size,
                poll_interval: std::time::Duration::from_millis(settings.broker.relay_poll_interval_ms),
                retention_hours: settings.broker.outbox_retention_hours,
            },
            relay_wakeup.clone(),
            broker.clone(),
        );
        let relay = tokio::spawn(relay.run(shutdown.clone()));

        let timeout = settings.http.request_timeout();
        let auth = Arc::new(Authenticator::new(pool.clone(), settings.http.auth_enabled(), settings.http.api_bootstrap_key.as_ref()));
        let state = AppState { pool, integrations, registry, auth, relay_wakeup, broker, topology, settings: Arc::new(settings) };
        let server = shared_models::http::serve(listener, shared_models::http::Serve::default(), move || {
            // The OpenAPI document is what `routes::configure` registers.
            let (app, mut doc) = App::new()
                .into_utoipa_app()
                .openapi(openapi::base())
                .app_data(web::Data::new(state.clone()))
                .app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES).error_handler(json_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .configure(routes::configure)
                .split_for_parts();
            crate::openapi_security::secure(&mut doc);
            app.configure(|cfg| routes::method_not_allowed(cfg, &doc))
                .configure(|cfg| openapi::serve(cfg, doc))
                .wrap(from_fn(crate::auth::require_key))
                .wrap(shared_models::http::access_log())
                .wrap(from_fn(|req, next| metrics::track_requests("api-service", req, next)))
                .wrap(from_fn(move |req, next| shared_models::http::deadline(timeout, req, next)))
                .wrap(from_fn(shared_models::http::head_as_get))
                .default_service(web::to(routes::not_found))
        })?;
        Ok(Self { port, server, relay, shutdown })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT (actix handles the signals), then stops
    /// the relay after its current batch.
    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        let result = self.server.await;
        self.shutdown.cancel();
        let _ = self.relay.await;
        result
    }
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit: *limit }
        }
        JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::Validation { field: None, message: e.to_string() },
        JsonPayloadError::Deserialize(e) => ApiError::InvalidJson(e.to_string()),
        // A transport error's text (a corrupt gzip stream) is Rust's debug output: for the log.
        other => {
            log::warn!("request body unreadable: {other}");
            ApiError::InvalidJson("the request body could not be read (is its Content-Encoding right?)".into())
        }
    };
    api.into()
}

fn path_error(_err: PathError, req: &HttpRequest) -> actix_web::Error {
    let id = req.match_info().get("id").unwrap_or_default().to_owned();
    ApiError::customer_not_found(&id).into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::InvalidQuery(format!("invalid query string: {err}")).into()
}
