use std::net::TcpListener;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse, HttpServer};
use shared_models::metrics;

/// The worker's only HTTP: `/metrics` for Prometheus and `/health` for the
/// orchestrator. Signals are left to `main`, which stops the consumer first.
pub struct MetricsServer {
    port: u16,
    server: Server,
}

impl MetricsServer {
    /// Binds `address:port` (0 picks a free port: see `port()`).
    pub fn bind(address: &str, port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind((address, port))?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(|| {
            App::new()
                .wrap(from_fn(|req, next| metrics::track_requests("sync-worker", req, next)))
                .route("/metrics", web::get().to(metrics::serve))
                .route("/health", web::get().to(|| async { HttpResponse::Ok().json(serde_json::json!({"status": "ok"})) }))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}
