use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::state::AppState;

/// The process is up.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// The database and the broker are reachable. Changes are still accepted
/// while the broker is away (the outbox holds them), but this says so.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let database = shared_models::db::ping(&state.pool).await;
    let broker = state.broker.is_connected();
    let body = json!({
        "status": if database.is_ok() && broker { "ready" } else { "unavailable" },
        "checks": {
            "database": match &database { Ok(()) => "ok".to_owned(), Err(e) => e.to_string() },
            "broker": if broker { "ok" } else { "not connected" },
        }
    });
    if database.is_ok() && broker {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
