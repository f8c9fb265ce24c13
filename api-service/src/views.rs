use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_models::db::customers::Customer;
use shared_models::db::sync_conflicts::SyncConflict;
use shared_models::db::sync_links::SyncLink;
use shared_models::sync::SyncStatus;
use utoipa::ToSchema;
use uuid::Uuid;

// The bodies of the customer and health routes (those of /sync/status are
// in `sync_views`). Where a body used to be built with `json!` (whose
// objects keep their keys sorted), the fields are declared in alphabetical
// order so that the JSON stays the same byte for byte.

/// A customer as the API shows it, with its sync state per integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[schema(example = json!({
    "id": "01a1fd2c-0a23-77d9-beaf-fcacee796d7e",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "version": 1,
    "created_at": "2026-11-21T08:14:44.259144Z",
    "updated_at": "2026-11-21T08:14:44.259144Z",
    "sync": {"stripe": {
        "status": "synced", "external_id": "cus_kVbhGleVyoqU1Y", "last_error": null, "attempts": 0,
        "synced_version": 1, "synced_at": "2026-11-21T08:14:44.290258Z", "conflict": null
    }}
}))]
pub struct CustomerView {
    pub id: Uuid,
    pub name: String,
    /// Stored lower-cased; unique among live customers.
    pub email: String,
    /// Goes up by one with every change.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The customer's state in each integration, by integration name
    /// (`stripe`).
    pub sync: BTreeMap<String, SyncView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct SyncView {
    /// `pending` until the worker has pushed the current `version`, then
    /// `synced`; `failed` when the change was dead-lettered. A change that
    /// came from the integration is `synced` at once.
    pub status: SyncStatus,
    /// The record's id in the integration (`cus_...`), once it has one.
    pub external_id: Option<String>,
    pub last_error: Option<String>,
    pub attempts: i32,
    /// The newest `version` the integration holds.
    pub synced_version: i64,
    pub synced_at: Option<DateTime<Utc>>,
    /// Why the integration's latest version of the record was not taken in
    /// (e.g. its email belongs to another customer here); None when fine.
    pub conflict: Option<String>,
}

/// One page of customers, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerPage {
    pub data: Vec<CustomerView>,
    /// Whether customers follow this page.
    pub has_more: bool,
    /// Pass as `starting_after` to get the next page; null on the last page.
    pub next_cursor: Option<Uuid>,
}

/// `GET /health`: the process is up.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// Always `ok`.
    #[schema(value_type = String, example = "ok")]
    pub status: &'static str,
}

/// `GET /ready`: whether the database and the broker are reachable.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"checks": {"broker": "ok", "database": "ok"}, "status": "ready"}))]
pub struct Readiness {
    pub checks: ReadinessChecks,
    pub status: ReadyStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReadyStatus {
    Ready,
    Unavailable,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    /// `ok`, or `not connected`.
    #[schema(example = "ok")]
    pub broker: String,
    /// `ok`, or why the database cannot be reached.
    #[schema(example = "ok")]
    pub database: String,
}

impl CustomerView {
    pub fn new(customer: Customer, links: Vec<SyncLink>, conflicts: Vec<SyncConflict>) -> Self {
        Self {
            id: customer.id,
            name: customer.name,
            email: customer.email,
            version: customer.version,
            created_at: customer.created_at,
            updated_at: customer.updated_at,
            sync: sync_views(links, &conflicts),
        }
    }
}

/// An entity's state in each integration, by integration name.
pub fn sync_views(links: Vec<SyncLink>, conflicts: &[SyncConflict]) -> BTreeMap<String, SyncView> {
    links
        .into_iter()
        .map(|l| {
            let conflict = conflicts.iter().find(|c| c.integration == l.integration).map(|c| c.problem.clone());
            let view = SyncView {
                status: l.status,
                external_id: l.external_id,
                last_error: l.last_error,
                attempts: l.attempts,
                synced_version: l.synced_version,
                synced_at: l.synced_at,
                conflict,
            };
            (l.integration, view)
        })
        .collect()
}
