use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared_models::db::customers::Customer;
use shared_models::db::sync_conflicts::SyncConflict;
use shared_models::db::sync_links::SyncLink;
use uuid::Uuid;

/// A customer as the API shows it, with its sync state per integration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CustomerView {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sync: BTreeMap<String, SyncView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SyncView {
    pub status: String,
    pub external_id: Option<String>,
    pub last_error: Option<String>,
    pub attempts: i32,
    pub synced_version: i64,
    pub synced_at: Option<DateTime<Utc>>,
    /// Why the integration's latest version of the record was not taken in
    /// (e.g. its email belongs to another customer here); None when fine.
    pub conflict: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerPage {
    pub data: Vec<CustomerView>,
    pub has_more: bool,
    /// Pass as `starting_after` to get the next page.
    pub next_cursor: Option<Uuid>,
}

impl CustomerView {
    pub fn new(customer: Customer, links: Vec<SyncLink>, conflicts: Vec<SyncConflict>) -> Self {
        let sync = links
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
            .collect();
        Self {
            id: customer.id,
            name: customer.name,
            email: customer.email,
            version: customer.version,
            created_at: customer.created_at,
            updated_at: customer.updated_at,
            sync,
        }
    }
}
