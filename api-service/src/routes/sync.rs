use std::collections::{BTreeMap, HashMap};

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use shared_models::db::{inbound_events, outbox, outside_deletions, poll_cursors, sync_conflicts, sync_links, sync_writes};
use shared_models::error::Context;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::operations::queues;
use crate::outward_views::WritesInDoubt;
use crate::state::AppState;
use crate::sync_views::{BrokerState, ConflictList, IntegrationSync, OutboxBacklog, SyncStatusView};

/// The newest received and handled times of an integration's inbound events.
type NewestTimes = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConflictQuery {
    /// How many to return, 1 to 500.
    #[param(nullable = false, minimum = 1, maximum = 500, default = 50)]
    limit: Option<i64>,
    /// Only conflicts of this entity type.
    #[param(nullable = false, example = "customer")]
    entity_type: Option<String>,
}

/// Outside records that break a local rule.
///
/// Records (no email, an email another customer has, ...) that were not
/// taken in, newest first. Each goes away once a later change of the record
/// fixes it.
#[utoipa::path(
    operation_id = "list_sync_conflicts",
    tag = "sync",
    params(ConflictQuery),
    responses(
        (status = 200, description = "The open conflicts, newest first.", body = ConflictList),
        (status = 400, response = errors::InvalidQuery),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/conflicts")]
pub async fn conflicts(state: web::Data<AppState>, query: web::Query<ConflictQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let mut conn = state.pool.get().await.context("checking out a connection for a request")?;
    let data = sync_conflicts::list(&mut conn, query.entity_type.as_deref(), limit).await?;
    Ok(HttpResponse::Ok().json(ConflictList { data: data.into_iter().map(Into::into).collect() }))
}

/// How far the sync has got.
///
/// Per integration, the links of each catalog by status (outward), the
/// inbound events by status with the newest received and handled times
/// (inward), the events still to be applied and the age of the oldest
/// (inbox), the poller of its event list (poller), the writes sent without a
/// certain answer yet (writes_in_doubt), open conflicts, and the deletes the
/// mass-deletion guard holds (held_deletions); plus
/// the outbox backlog and the broker connection.
#[utoipa::path(
    operation_id = "sync_status",
    tag = "sync",
    responses(
        (status = 200, description = "The sync state.", body = SyncStatusView),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/sync/status")]
pub async fn status(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await.context("checking out a connection for a request")?;
    // Configured integrations show zeros before their first change.
    let catalogs_of = |integration: &str| -> Vec<&'static str> {
        state.registry.pairs().iter().filter(|p| p.integration == integration).map(|p| p.entity_type).collect()
    };
    let mut integrations: BTreeMap<String, IntegrationSync> =
        state.integrations.iter().map(|integration| (integration.clone(), IntegrationSync::empty(catalogs_of(integration)))).collect();
    for (integration, entity_type, status, n) in sync_links::status_counts(&mut conn).await? {
        let outward = &mut integrations.entry(integration).or_default().outward;
        outward.entry(entity_type).or_default().insert(status.as_str().to_owned(), n);
    }
    let mut newest: HashMap<String, NewestTimes> = HashMap::new();
    for (integration, status, n, received, handled) in inbound_events::summary(&mut conn).await? {
        integrations.entry(integration.clone()).or_default().inward.0.insert(status.as_str().to_owned(), json!(n));
        let times = newest.entry(integration).or_default();
        times.0 = times.0.max(received);
        times.1 = times.1.max(handled);
    }
    for (integration, (received, handled)) in newest {
        let inward = &mut integrations.entry(integration).or_default().inward.0;
        inward.insert("last_received_at".to_owned(), json!(received));
        inward.insert("last_handled_at".to_owned(), json!(handled));
    }
    for (integration, count, oldest_since) in sync_writes::in_doubt(&mut conn).await.context("counting the writes in doubt")? {
        integrations.entry(integration).or_default().writes_in_doubt = WritesInDoubt { count, oldest_since };
    }
    for (integration, n) in sync_conflicts::counts(&mut conn).await? {
        integrations.entry(integration).or_default().conflicts = n;
    }
    for (integration, n) in outside_deletions::held_counts(&mut conn).await? {
        integrations.entry(integration).or_default().held_deletions = n;
    }
    for backlog in inbound_events::backlogs(&mut conn).await? {
        let integration = backlog.integration.clone();
        integrations.entry(integration).or_default().inbox = backlog.into();
    }
    for poller in poll_cursors::list(&mut conn).await? {
        let integration = poller.integration().to_owned();
        integrations.entry(integration).or_default().poller = Some(poller.into());
    }
    let pairs: Vec<(String, &str)> = state.registry.pairs().iter().map(|p| (p.integration.to_owned(), p.entity_type)).collect();
    if let Some(depths) = queues::depths(&state.settings.broker.url, &state.topology, &pairs).await {
        for (integration, by_entity) in depths {
            integrations.entry(integration).or_default().queues = Some(by_entity);
        }
    }
    let unpublished = outbox::count_unpublished(&mut conn).await?;
    let oldest_unpublished_at = outbox::oldest_unpublished(&mut conn).await?;
    let body = SyncStatusView {
        broker: BrokerState { connected: state.broker.is_connected() },
        integrations,
        outbox: OutboxBacklog { oldest_unpublished_at, unpublished, unroutable: outbox::count_unroutable(&mut conn).await? },
    };
    Ok(HttpResponse::Ok().json(body))
}
