//! The inward side, written once for every pair: an integration's events
//! (webhooks or the poller) land in the inbox (`inbound_events`) and are
//! applied from there, one transaction each, by the rules in `rules` (a
//! known entity), `unknown` (a record nothing here stands for yet) and
//! `listed` (what only a read of the current state can show).

mod catalog;
mod checks;
pub mod confirm;
mod deleted;
mod guard;
mod listed;
mod merged;
mod pair;
mod poller;
mod processor;
mod rules;
mod source;
mod unknown;

pub use catalog::{InwardCatalog, Local, Version};
pub use guard::DeletionGuard;
pub use pair::{Inward, InwardPair, Listed};
pub use poller::Poller;
pub use processor::{Handled, Processor, RetryPolicy};
pub use source::{Envelope, Feed, Page, Polled, Refusal, RemoteRecord, Source};

use diesel_async::AsyncPgConnection;
use serde_json::Value;
use shared_models::db::inbound_events::{self, InboundStatus, NewInboundEvent};
use uuid::Uuid;

use crate::SyncError;

/// An integration's feed as this service runs it.
pub struct FeedEntry {
    pub feed: std::sync::Arc<dyn Feed>,
    /// Deliveries to `/webhooks/{integration}` are taken (a secret is set).
    pub webhooks: bool,
    /// Each delivered event is read back from the integration by its id and
    /// applied as read there: a forged event, even signed, changes nothing.
    pub confirm: bool,
    /// Its event list is polled.
    pub poll: bool,
    /// How often it is polled.
    pub poll_interval: std::time::Duration,
}

/// The inward side of every pair in force: the feeds of their
/// integrations, and the pairs that apply the events.
pub struct InwardSide {
    pub feeds: Vec<FeedEntry>,
    pub pairs: std::sync::Arc<[std::sync::Arc<dyn InwardPair>]>,
}

/// How an event was handled; `detail` is stored with it in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: InboundStatus,
    /// What it did to the catalog (`None` unless applied).
    pub effect: Option<Effect>,
    pub detail: String,
}

/// The change an applied event made to the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Created,
    Updated,
    Deleted,
    /// An outside record was linked to the local entity with its key.
    Linked,
    /// An entity deleted here by an event of the integration, which lists
    /// the record live: the delete was not the integration's, and the
    /// entity is back (a listed state only).
    Restored,
    /// A delete the integration reported, held by the mass-deletion guard:
    /// nothing changed; it waits for an operator (a skip, not an apply).
    Held,
    /// The integration was found holding something other than the
    /// catalog's latest version (a listed state): queued to be written again.
    Requeued {
        entity: Uuid,
        operation: shared_models::sync::Operation,
    },
}

impl Outcome {
    pub(crate) fn applied(effect: Effect, detail: String) -> Self {
        Self { status: InboundStatus::Applied, effect: Some(effect), detail }
    }
    pub(crate) fn held(detail: String) -> Self {
        Self { status: InboundStatus::Skipped, effect: Some(Effect::Held), detail }
    }
    pub(crate) fn skipped(detail: String) -> Self {
        Self { status: InboundStatus::Skipped, effect: None, detail }
    }
    pub(crate) fn rejected(detail: String) -> Self {
        Self { status: InboundStatus::Rejected, effect: None, detail }
    }
    pub(crate) fn ignored(detail: String) -> Self {
        Self { status: InboundStatus::Ignored, effect: None, detail }
    }
}

/// Where the outside state being applied comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An event: the change was made at the event's `created`.
    Event,
    /// A list read (reconcile): the current state, of a change made at an
    /// unknown time; `created` is when it was read.
    Listed,
    /// A read after the integration refused our write of this version as
    /// superseded by a later change there: the current state, which wins
    /// over local versions up to this one (`confirm::superseded`).
    Superseded(i64),
}

/// Puts an event in the inbox; false when its id is already there.
pub async fn store(
    conn: &mut AsyncPgConnection,
    integration: &str,
    envelope: &Envelope,
    payload: &Value,
    how: &str,
) -> Result<bool, SyncError> {
    let row = NewInboundEvent {
        integration,
        event_id: &envelope.id,
        event_type: &envelope.kind,
        event_created: envelope.created,
        payload,
        source: how,
    };
    Ok(inbound_events::insert(conn, row).await?)
}
