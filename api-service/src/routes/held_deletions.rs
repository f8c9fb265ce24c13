//! `/sync/held-deletions`: the deletes the mass-deletion guard held, and an
//! operator's decision on them (scope `operate`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared_models::db::outside_deletions::{DeletionState, Target};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::operations::held_deletions::{self, Decided, HeldList};
use crate::state::AppState;

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HeldQuery {
    /// Only the deletes of this integration.
    #[param(nullable = false, example = "salesforce")]
    integration: Option<String>,
    /// How many to return, 1 to 500.
    #[param(nullable = false, minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
}

/// Every held delete of one integration, decided at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideAll {
    #[schema(example = "salesforce")]
    integration: String,
}

/// Deletes held by the mass-deletion guard.
///
/// Deletes an integration reported beyond the guard's limits
/// (`DELETION_GUARD_*`), oldest first. None of them changed anything yet.
#[utoipa::path(
    operation_id = "list_held_deletions",
    tag = "sync",
    params(HeldQuery),
    responses(
        (status = 200, description = "The held deletes.", body = HeldList),
        (status = 400, response = errors::InvalidQuery),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/held-deletions")]
pub async fn list(state: web::Data<AppState>, query: web::Query<HeldQuery>) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    Ok(HttpResponse::Ok().json(held_deletions::list(&state.pool, query.integration.as_deref(), limit).await?))
}

/// Releases one held delete.
///
/// The record is read back from the integration; if it is still deleted
/// there, the entity is deleted here and in every other integration.
#[utoipa::path(
    operation_id = "release_held_deletion",
    tag = "sync",
    params(("id" = Uuid, Path, description = "The held delete.")),
    responses(
        (status = 200, description = "Released.", body = Decided),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/held-deletions/{id}/release")]
pub async fn release(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    decide_one(&state, &id, DeletionState::Released).await
}

/// Discards one held delete.
///
/// The entity stays, and is written to the integration again as a new
/// record (its old one was deleted there).
#[utoipa::path(
    operation_id = "discard_held_deletion",
    tag = "sync",
    params(("id" = Uuid, Path, description = "The held delete.")),
    responses(
        (status = 200, description = "Discarded.", body = Decided),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/held-deletions/{id}/discard")]
pub async fn discard(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    decide_one(&state, &id, DeletionState::Discarded).await
}

/// Releases every held delete of one integration.
#[utoipa::path(
    operation_id = "release_held_deletions",
    tag = "sync",
    request_body(content = DecideAll),
    responses(
        (status = 200, description = "Released (possibly none).", body = Decided),
        (status = 400, response = errors::InvalidJson),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/held-deletions/release")]
pub async fn release_all(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    decide_all(&state, &req, body, DeletionState::Released).await
}

/// Discards every held delete of one integration.
#[utoipa::path(
    operation_id = "discard_held_deletions",
    tag = "sync",
    request_body(content = DecideAll),
    responses(
        (status = 200, description = "Discarded (possibly none).", body = Decided),
        (status = 400, response = errors::InvalidJson),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/sync/held-deletions/discard")]
pub async fn discard_all(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> Result<HttpResponse, ApiError> {
    decide_all(&state, &req, body, DeletionState::Discarded).await
}

async fn decide_one(state: &AppState, id: &str, decision: DeletionState) -> Result<HttpResponse, ApiError> {
    let not_held = || ApiError::NotFound(format!("no held delete with id '{id}'"));
    let id = Uuid::parse_str(id).map_err(|_| not_held())?;
    let decided = held_deletions::decide(&state.pool, Target::One(id), decision).await?;
    if decided.decided == 0 {
        return Err(not_held());
    }
    Ok(HttpResponse::Ok().json(decided))
}

async fn decide_all(state: &AppState, req: &HttpRequest, body: web::Payload, decision: DeletionState) -> Result<HttpResponse, ApiError> {
    let request: DecideAll = super::optional_json(req, body).await?;
    if !state.integrations.contains(&request.integration) {
        let configured = state.integrations.join(", ");
        let message = format!("integration must be one in force ({configured}), not '{}'", request.integration);
        return Err(ApiError::Validation { field: Some("integration".into()), message });
    }
    Ok(HttpResponse::Ok().json(held_deletions::decide(&state.pool, Target::All(&request.integration), decision).await?))
}
