use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::operations::reconcile_runs::{self, ReconcileRun};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileRequest {
    /// Only report what would be repaired.
    #[serde(default)]
    dry_run: bool,
}

/// Starts a reconcile of the whole catalog with the whole of Stripe.
///
/// Compares both catalogs and repairs every difference in both directions by
/// the live sync's rules: missing links, missed webhooks, lost messages,
/// changes made while a service was down. Also the initial import of an
/// existing Stripe account. Recorded as `requested`; webhook-service claims
/// it within about a second and runs it in the background (poll the
/// `Location`, on any instance); safe next to the live sync. One runs at a
/// time across every instance and the `webhook-service reconcile` command.
#[utoipa::path(
    operation_id = "start_reconcile",
    tag = "sync",
    request_body(content = ReconcileRequest, description = "Optional: without a body, a real run."),
    responses(
        (status = 202, description = "Started.", body = ReconcileRun,
            headers(("Location" = String, description = "`/sync/reconcile/{id}` of the run."))),
        (status = 400, response = errors::InvalidJson),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 409, response = errors::AlreadyRunning),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/reconcile")]
pub async fn start(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    let request: ReconcileRequest = super::optional_json(&req, body).await?;
    let run = reconcile_runs::start(&state.pool, request.dry_run).await?;
    Ok(HttpResponse::Accepted().insert_header(("Location", format!("/sync/reconcile/{}", run.id))).json(run))
}

/// One reconcile run: its progress (recorded about twice a second), or its
/// summary once done.
#[utoipa::path(
    operation_id = "get_reconcile",
    tag = "sync",
    params(("id" = uuid::Uuid, Path, description = "The run's id.")),
    responses(
        (status = 200, description = "The run.", body = ReconcileRun),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/reconcile/{id}")]
pub async fn get(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NotFound(format!("no reconcile run with id '{id}'"));
    let id = uuid::Uuid::parse_str(&id).map_err(|_| not_found())?;
    Ok(HttpResponse::Ok().json(reconcile_runs::get(&state.pool, id).await?.ok_or_else(not_found)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReconcileRunList {
    pub data: Vec<ReconcileRun>,
}

/// The recent reconcile runs, newest first: started over the API (by any
/// api-service instance) or by `webhook-service reconcile`.
#[utoipa::path(
    operation_id = "list_reconciles",
    tag = "sync",
    responses(
        (status = 200, description = "The last 20 runs.", body = ReconcileRunList),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/reconcile")]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(ReconcileRunList { data: reconcile_runs::list(&state.pool).await? }))
}
