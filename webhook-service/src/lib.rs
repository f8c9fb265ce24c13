//! Receives Stripe's webhooks. So far it serves `/health` and `/ready`; the
//! inward sync (signature check, inbox, apply) is the next piece of work.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::json;
use shared_models::config::Settings;
use shared_models::db::{self, PgPool};

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `BIND_ADDRESS:WEBHOOK_PORT` (0 picks a free port: see `port()`).
    pub fn build(settings: &Settings) -> Result<Self, std::io::Error> {
        let listener = TcpListener::bind((settings.bind_address.as_str(), settings.webhook_port))?;
        let port = listener.local_addr()?.port();
        let pool = db::build_pool(&settings.database_url, settings.database_pool_size).map_err(std::io::Error::other)?;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(pool.clone()))
                .route("/health", web::get().to(health))
                .route("/ready", web::get().to(ready))
                .default_service(web::to(|| async {
                    HttpResponse::NotFound().json(json!({"error": {"code": "not_found", "message": "no such route"}}))
                }))
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub async fn run_until_stopped(self) -> Result<(), std::io::Error> {
        self.server.await
    }
}

async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn ready(pool: web::Data<PgPool>) -> HttpResponse {
    match db::ping(&pool).await {
        Ok(()) => HttpResponse::Ok().json(json!({ "status": "ready", "checks": { "database": "ok" } })),
        Err(e) => HttpResponse::ServiceUnavailable().json(json!({ "status": "unavailable", "checks": { "database": e.to_string() } })),
    }
}
