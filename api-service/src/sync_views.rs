//! The bodies of `GET /sync/status` and `GET /sync/conflicts`: how far the
//! sync has got with each integration. The poller and inbox parts are in
//! `inward_views`, the writes in doubt in `outward_views`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use shared_models::db::inbound_events::InboundStatus;
use shared_models::db::sync_conflicts::SyncConflict;
use shared_models::sync::SyncStatus;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::inward_views::{InboxBacklog, PollerView};
use crate::operations::queues::QueueDepths;
use crate::outward_views::WritesInDoubt;

// Where a body used to be built with `json!` (whose objects keep their keys
// sorted), the fields are declared in alphabetical order so that the JSON
// stays the same byte for byte.
/// An outside record that breaks a local rule (no email, an email another
/// customer has, ...) and so was not taken in. It goes away once a later
/// change of the record fixes it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "integration": "stripe", "entity_type": "customer", "external_id": "cus_QxXyZ1",
    "entity_id": null, "problem": "the Stripe customer has no email, which every customer here needs",
    "remote": {"id": "cus_QxXyZ1", "name": "No Mail", "email": null, "metadata": {}, "deleted": false},
    "event_id": "evt_1QxXyZ", "event_created": 1795000000, "detected_at": "2026-11-21T08:14:44.259144Z"
}))]
pub struct ConflictView {
    pub detected_at: DateTime<Utc>,
    /// The local entity it belongs to, when there is one.
    pub entity_id: Option<Uuid>,
    #[schema(example = "customer")]
    pub entity_type: String,
    /// The event's time, in Unix seconds.
    pub event_created: i64,
    pub event_id: String,
    /// The record's id in the integration.
    pub external_id: String,
    #[schema(example = "stripe")]
    pub integration: String,
    /// Why the record was not taken in.
    pub problem: String,
    /// The outside record as its latest event carried it.
    #[schema(value_type = Object)]
    pub remote: serde_json::Value,
}

impl From<SyncConflict> for ConflictView {
    fn from(conflict: SyncConflict) -> Self {
        // Written out in full so that a new field of SyncConflict is a
        // compile error here rather than missing from the API.
        let SyncConflict { integration, entity_type, external_id, entity_id, problem, remote, event_id, event_created, detected_at } =
            conflict;
        Self { integration, entity_type, external_id, entity_id, problem, remote, event_id, event_created, detected_at }
    }
}

/// The open conflicts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictList {
    pub data: Vec<ConflictView>,
}

/// How far the sync has got with each integration, and the outbox backlog.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "broker": {"connected": true},
    "integrations": {"stripe": {
        "conflicts": 1,
        "held_deletions": 0,
        "inbox": {"oldest_pending_received_at": "2026-11-21T08:15:01.918Z", "oldest_retrying_received_at": null,
                  "pending": 1, "retrying": 0},
        "inward": {"applied": 40, "last_handled_at": "2026-11-21T08:15:02.001Z", "last_received_at": "2026-11-21T08:15:01.918Z",
                   "pending": 1, "rejected": 1, "skipped": 12},
        "outward": {"customer": {"failed": 0, "pending": 2, "synced": 51}},
        "poller": {"consecutive_failures": 0, "created_from": 1795000000, "failing": false, "last_error": null,
                   "last_failure_at": null, "last_success_at": "2026-11-21T08:15:01.918Z", "missed": null, "missed_at": null}
    }},
    "outbox": {"oldest_unpublished_at": null, "unpublished": 0, "unroutable": 0}
}))]
pub struct SyncStatusView {
    pub broker: BrokerState,
    /// By integration name; every configured integration is listed (one no
    /// longer configured, while it still has data, too).
    pub integrations: BTreeMap<String, IntegrationSync>,
    pub outbox: OutboxBacklog,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BrokerState {
    /// Whether the outbox relay is connected to RabbitMQ.
    pub connected: bool,
}

/// The sync state of one integration.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct IntegrationSync {
    /// Open conflicts (see `GET /sync/conflicts`).
    pub conflicts: i64,
    /// Deletes reported by the integration and held by the mass-deletion
    /// guard for an operator (see `GET /sync/held-deletions`).
    pub held_deletions: i64,
    /// The inbound events still to be applied, and how old the oldest is.
    pub inbox: InboxBacklog,
    pub inward: InwardSummary,
    /// Local records by entity type (`customer`), then by sync status
    /// (`pending`, `synced`, `failed`).
    #[schema(example = json!({"customer": {"failed": 0, "pending": 2, "synced": 51}}))]
    pub outward: BTreeMap<String, BTreeMap<String, i64>>,
    /// The poller of the integration's event list; null until it first ran.
    pub poller: Option<PollerView>,
    /// Messages in RabbitMQ by entity type; null when it cannot be reached.
    pub queues: Option<BTreeMap<String, QueueDepths>>,
    /// Writes sent without a certain answer yet.
    pub writes_in_doubt: WritesInDoubt,
}

impl IntegrationSync {
    /// What a configured integration shows before its first change: zeros
    /// for each catalog it syncs.
    pub fn empty<'a>(catalogs: impl IntoIterator<Item = &'a str>) -> Self {
        let statuses: BTreeMap<String, i64> = SyncStatus::ALL.iter().map(|s| (s.as_str().to_owned(), 0)).collect();
        let outward = catalogs.into_iter().map(|catalog| (catalog.to_owned(), statuses.clone())).collect();
        Self {
            conflicts: 0,
            held_deletions: 0,
            inbox: InboxBacklog::default(),
            inward: InwardSummary::default(),
            outward,
            poller: None,
            queues: None,
            writes_in_doubt: WritesInDoubt::default(),
        }
    }
}

/// The integration's inbound events: how many there are of each status
/// that occurs, and, once there are any, the newest received and handled
/// times. One flat object (its keys sorted), hence the hand-written schema.
#[derive(Debug, Default, Serialize)]
#[serde(transparent)]
pub struct InwardSummary(pub BTreeMap<String, serde_json::Value>);

impl utoipa::PartialSchema for InwardSummary {
    fn schema() -> RefOr<Schema> {
        let time = |description: &str| {
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some(description))
        };
        let count = |status: InboundStatus| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .description(Some(format!("Events in status `{}`; absent when none.", status.as_str())))
        };
        InboundStatus::ALL
            .iter()
            .fold(ObjectBuilder::new(), |object, status| object.property(status.as_str(), count(*status)))
            .property("last_received_at", time("When the newest event was received; present once there are events."))
            .property("last_handled_at", time("When the newest event was handled; present once there are events."))
            .description(Some("Inbound events by status, and the newest received and handled times."))
            .examples([json!({"applied": 40, "last_handled_at": "2026-11-21T08:15:02.001Z", "last_received_at": "2026-11-21T08:15:01.918Z", "pending": 1})])
            .into()
    }
}

impl ToSchema for InwardSummary {}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxBacklog {
    /// When the oldest change still waiting to be published was made.
    pub oldest_unpublished_at: Option<DateTime<Utc>>,
    /// Changes committed but not yet published to RabbitMQ.
    pub unpublished: i64,
    /// Changes no queue took (no integration syncs their catalog), set aside
    /// so they block nothing; kept until pruned with the published ones.
    pub unroutable: i64,
}
