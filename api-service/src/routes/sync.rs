use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared_models::db::{inbound_events, outbox, sync_conflicts, sync_links};
use shared_models::error::Context;
use shared_models::sync::CUSTOMER;

use crate::error::ApiError;
use crate::state::AppState;

/// The newest received and handled times of an integration's inbound events.
type NewestTimes = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

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

/// `GET /sync/status`: per integration, the links of each catalog by status
/// (outward), the inbound events by status with the newest received and
/// handled times (inward), and open conflicts; plus the outbox backlog.
pub async fn status(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await.context("checking out a connection for a request")?;
    // Indexing a JSON object creates what is missing: configured
    // integrations show zeros before their first change.
    let mut integrations = json!({});
    for integration in state.integrations.iter() {
        integrations[integration.as_str()] =
            json!({"outward": {CUSTOMER: {"pending": 0, "synced": 0, "failed": 0}}, "inward": {}, "conflicts": 0});
    }
    for (integration, entity_type, status, n) in sync_links::status_counts(&mut conn).await? {
        integrations[integration.as_str()]["outward"][entity_type.as_str()][status.as_str()] = json!(n);
    }
    let mut newest: HashMap<String, NewestTimes> = HashMap::new();
    for (integration, status, n, received, handled) in inbound_events::summary(&mut conn).await? {
        integrations[integration.as_str()]["inward"][status.as_str()] = json!(n);
        let times = newest.entry(integration).or_default();
        times.0 = times.0.max(received);
        times.1 = times.1.max(handled);
    }
    for (integration, (received, handled)) in newest {
        integrations[integration.as_str()]["inward"]["last_received_at"] = json!(received);
        integrations[integration.as_str()]["inward"]["last_handled_at"] = json!(handled);
    }
    for (integration, n) in sync_conflicts::counts(&mut conn).await? {
        integrations[integration.as_str()]["conflicts"] = json!(n);
    }
    let body = json!({
        "integrations": integrations,
        "outbox": {
            "unpublished": outbox::count_unpublished(&mut conn).await?,
            "oldest_unpublished_at": outbox::oldest_unpublished(&mut conn).await?,
        },
        "broker": { "connected": state.broker.is_connected() },
    });
    Ok(HttpResponse::Ok().json(body))
}
