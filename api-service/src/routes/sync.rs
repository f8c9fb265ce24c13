use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use shared_models::db::sync_conflicts;
use shared_models::error::Context;

use crate::error::ApiError;
use crate::state::AppState;

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictQuery {
    limit: Option<i64>,
    entity_type: Option<String>,
}

/// `GET /sync/conflicts`: outside records that break a local rule (no
/// email, an email another customer has, ...) and so were not taken in,
/// newest first. Each goes away once a later change of the record fixes it.
pub async fn conflicts(state: web::Data<AppState>, query: web::Query<ConflictQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let mut conn = state.pool.get().await.context("checking out a connection for a request")?;
    let data = sync_conflicts::list(&mut conn, query.entity_type.as_deref(), limit).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}
