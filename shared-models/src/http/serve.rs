//! How every service serves its actix app: what `actix_web::HttpServer`
//! does for a plain TCP listener, with each connection wrapped in
//! [`JsonErrors`] so the answers the dispatcher writes by itself carry the
//! JSON error body too. HttpServer offers no way to wrap the connection.

use std::fmt;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::body::MessageBody;
use actix_http::{HttpService, Request, Response};
use actix_server::Server;
use actix_service::{fn_service, map_config, IntoServiceFactory, Service, ServiceFactory, ServiceFactoryExt as _};
use actix_web::dev::AppConfig;
use tokio::net::TcpStream;

use super::json_errors::JsonErrors;
use super::MAX_CONNECTIONS_PER_WORKER;

/// The request head must arrive within this (actix's default): a client
/// that trickles its headers is answered 408 and cut off.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// An idle keep-alive connection is closed after this.
const KEEP_ALIVE: Duration = Duration::from_secs(5);
/// How long a client gets to read the last answer before the connection closes.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How a service's HTTP server runs.
#[derive(Debug, Clone, Copy)]
pub struct Serve {
    /// Worker threads; `None` is one per core.
    pub workers: Option<usize>,
    /// Whether SIGTERM/SIGINT stop the server (the service's `main` may
    /// handle them itself).
    pub signals: bool,
    /// Seconds open requests get to finish on shutdown.
    pub shutdown_timeout: u64,
}

impl Default for Serve {
    fn default() -> Self {
        Self { workers: None, signals: true, shutdown_timeout: 10 }
    }
}

/// Serves the app `factory` builds on `listener`, HTTP/1.1, at most
/// [`MAX_CONNECTIONS_PER_WORKER`] connections per worker.
pub fn serve<F, I, S, B>(listener: TcpListener, options: Serve, factory: F) -> std::io::Result<Server>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error> + 'static,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>> + 'static,
    <S::Service as Service<Request>>::Future: 'static,
    S::Service: 'static,
    B: MessageBody + 'static,
{
    let addr = listener.local_addr()?;
    let mut builder = Server::build().max_concurrent_connections(MAX_CONNECTIONS_PER_WORKER).shutdown_timeout(options.shutdown_timeout);
    if let Some(workers) = options.workers {
        builder = builder.workers(workers);
    }
    if !options.signals {
        builder = builder.disable_signals();
    }
    let server = builder
        .listen(format!("http-{addr}"), listener, move || {
            let app = factory().into_factory().map_err(|err| err.into().error_response());
            let http = HttpService::build()
                .keep_alive(KEEP_ALIVE)
                .client_request_timeout(HEAD_TIMEOUT)
                .client_disconnect_timeout(DISCONNECT_TIMEOUT)
                .local_addr(addr)
                .h1(map_config(app, |_| AppConfig::default()));
            fn_service(|io: TcpStream| {
                let peer = io.peer_addr().ok();
                // Small answers go out at once, as HttpServer does.
                let _ = io.set_nodelay(true);
                std::future::ready(Ok::<_, actix_http::error::DispatchError>((JsonErrors::new(io), peer)))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}
