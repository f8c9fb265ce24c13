use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::operations::dead_letters::{DeadLetterList, DeadLetterQueue, Replayed};
use crate::state::AppState;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterQuery {
    /// The integration, `stripe` by default.
    #[param(nullable = false, example = "stripe")]
    integration: Option<String>,
    /// The catalog, `customer` by default.
    #[param(nullable = false, example = "customer")]
    entity_type: Option<String>,
    /// How many to return, 1 to 500.
    #[param(nullable = false, minimum = 1, maximum = 500, default = 50)]
    limit: Option<usize>,
}

/// Which dead letters to replay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// The first integration in force (`stripe`) by default.
    #[schema(example = "stripe")]
    integration: Option<String>,
    /// The first catalog synced with it (`customer`) by default.
    #[schema(example = "customer")]
    entity_type: Option<String>,
    /// Only this one (its `message_id`); all of them when absent.
    message_id: Option<Uuid>,
}

fn queue(state: &AppState, integration: Option<&str>, entity_type: Option<&str>) -> Result<DeadLetterQueue, ApiError> {
    DeadLetterQueue::new(&state.settings.broker.url, &state.topology, &state.registry, integration, entity_type)
}

/// Changes that failed for good, with their errors.
///
/// Read from the dead-letter queue without taking them off it, oldest first.
#[utoipa::path(
    operation_id = "list_dead_letters",
    tag = "sync",
    params(DeadLetterQuery),
    responses(
        (status = 200, description = "The dead letters.", body = DeadLetterList),
        (status = 400, response = errors::InvalidQuery),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/dead-letters")]
pub async fn list(state: web::Data<AppState>, query: web::Query<DeadLetterQuery>) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let queue = queue(&state, query.integration.as_deref(), query.entity_type.as_deref())?;
    Ok(HttpResponse::Ok().json(queue.list(limit).await?))
}

/// Replays dead letters once their cause is fixed.
///
/// Moves them (all, or the one named) back to the work queue and marks their
/// customers `pending`; the worker then writes each customer's current state.
#[utoipa::path(
    operation_id = "replay_dead_letters",
    tag = "sync",
    request_body(content = ReplayRequest, description = "Optional: without a body, every dead letter of Stripe's customers."),
    responses(
        (status = 200, description = "What was replayed.", body = Replayed),
        (status = 400, response = errors::InvalidJson),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/dead-letters/replay")]
pub async fn replay(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    let request: ReplayRequest = super::optional_json(&req, body).await?;
    let queue = queue(&state, request.integration.as_deref(), request.entity_type.as_deref())?;
    Ok(HttpResponse::Ok().json(queue.replay(&state.pool, request.message_id).await?))
}
