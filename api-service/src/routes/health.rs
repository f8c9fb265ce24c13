use actix_web::{get, web, HttpResponse};

use crate::state::AppState;
use crate::views::{Health, Readiness, ReadinessChecks, ReadyStatus};

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up.", body = Health)))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database and the broker are reachable.
///
/// Changes are still accepted while the broker is away (the outbox holds
/// them), but this says so.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "The database and the broker are reachable.", body = Readiness),
        (status = 503, description = "The database or the broker cannot be reached; `checks` says which.", body = Readiness,
            example = json!({"checks": {"broker": "not connected", "database": "ok"}, "status": "unavailable"})),
    )
)]
#[get("/ready")]
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let database = shared_models::db::ping(&state.pool).await;
    let broker = state.broker.is_connected();
    let ready = database.is_ok() && broker;
    let body = Readiness {
        checks: ReadinessChecks {
            broker: if broker { "ok" } else { "not connected" }.to_owned(),
            // Why it failed goes to the log, not to whoever asks.
            database: match &database {
                Ok(()) => "ok".to_owned(),
                Err(e) => {
                    log::warn!("/ready: {e}");
                    "unreachable".to_owned()
                }
            },
        },
        status: if ready { ReadyStatus::Ready } else { ReadyStatus::Unavailable },
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// This process's metrics, in the Prometheus text format.
///
/// Requests by route and status, messages published, Stripe calls by outcome
/// and latency, sync lag, deletes held by the mass-deletion guard. The worker and webhook-service serve their own.
#[utoipa::path(
    operation_id = "metrics",
    tag = "health",
    responses((status = 200, description = "Prometheus text format 0.0.4.", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // What the database holds, as of this read: held deletes wait there, not
    // in any one process.
    let held = async {
        let mut conn = state.pool.get().await.map_err(|e| e.to_string())?;
        shared_models::db::outside_deletions::held_counts(&mut conn).await.map_err(|e| e.to_string())
    };
    match held.await {
        Ok(counts) => {
            let gauge = &shared_models::metrics::DELETIONS_WAITING;
            for integration in state.integrations.iter() {
                gauge.with_label_values(&[integration]).set(0);
            }
            for (integration, n) in counts {
                gauge.with_label_values(&[&integration]).set(n);
            }
        }
        Err(e) => log::warn!("/metrics: cannot count the held deletes: {e}"),
    }
    shared_models::metrics::serve().await
}
