use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use shared_models::auth::Authenticator;
use shared_models::metrics;

/// Ports tried from `WORKER_METRICS_PORT` on: several workers run natively
/// on one host with the default settings, and each takes the next free port
/// of `9090..=9105`.
pub const PORT_RANGE: u16 = 16;

/// The worker's only HTTP: `/metrics` for Prometheus, `/health` for the
/// orchestrator, `/ready` for what each pair is doing. Signals are left to `main`, which stops the consumer first.
pub struct MetricsServer {
    port: u16,
    server: Server,
}

impl MetricsServer {
    /// Binds `address:port`, or the next free port of the [`PORT_RANGE`]
    /// ports from `port` on when it is taken (0 picks any free port); see
    /// `port()` for the one used.
    /// `/metrics` needs an API key with the `operate` scope (`auth`).
    /// `/ready` tells what each pair does (`states`).
    pub fn bind(address: &str, port: u16, auth: Arc<Authenticator>, states: crate::PairStates) -> std::io::Result<Self> {
        let listener = first_free(address, port)?;
        let port = listener.local_addr()?.port();
        let options = shared_models::http::Serve { workers: Some(1), signals: false, ..Default::default() };
        let server = shared_models::http::serve(listener, options, move || {
            let auth = auth.clone();
            let states = states.clone();
            App::new()
                .wrap(from_fn(|req, next| metrics::track_requests("sync-worker", req, next)))
                .route("/metrics", web::get().to(move |req| shared_models::auth::metrics(auth.clone(), req)))
                .route("/health", web::get().to(|| async { HttpResponse::Ok().json(serde_json::json!({"status": "ok"})) }))
                .route(
                    "/ready",
                    web::get().to(move || {
                        let states = states.clone();
                        async move { states.ready() }
                    }),
                )
        })?;
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

/// A listener on `port`, or on the next port of the range that is free.
/// Only "address in use" moves on: any other error (a bad address, no
/// permission) would be the same on every port.
fn first_free(address: &str, port: u16) -> std::io::Result<TcpListener> {
    let last = if port == 0 { 0 } else { port.saturating_add(PORT_RANGE - 1) };
    let mut candidate = port;
    loop {
        match TcpListener::bind((address, candidate)) {
            Ok(listener) => {
                if candidate != port {
                    log::info!("port {port} is taken (another worker on this host?); /metrics uses port {candidate}");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && candidate < last => candidate += 1,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                let message = format!("ports {port} to {last} are all taken: {e}");
                return Err(std::io::Error::new(e.kind(), message));
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_moves_on_to_the_next_free_one() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap_or_else(|e| panic!("{e}"));
        let port = taken.local_addr().unwrap_or_else(|e| panic!("{e}")).port();
        match first_free("127.0.0.1", port) {
            Ok(listener) => assert_ne!(listener.local_addr().map(|a| a.port()).ok(), Some(port)),
            // The ports after it may be someone else's: then the error names the range.
            Err(e) => assert!(e.to_string().contains("are all taken"), "{e}"),
        }
    }
}
