//! The inward twin of [`Connector`](crate::Connector): how the sync core
//! reads an integration. It is cut in two, because an integration sends one
//! stream of events for all of its catalogs:
//! - a [`Feed`] per integration: a webhook delivery verified, an event's
//!   envelope read, the events since a cursor listed;
//! - a [`Source`] per (catalog × integration) pair: an event decoded into a
//!   change of one catalog record, one record read, all records listed page
//!   by page.

use std::future::Future;

use async_trait::async_trait;
use serde_json::Value;
use uuid::Uuid;

use crate::inward::InwardCatalog;
use crate::SyncError;

/// What every event carries, whatever it is about: it keys the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: String,
    pub kind: String,
    /// When the change was made in the integration (unix seconds).
    pub created: i64,
}

/// Why a delivery (or an event) was refused: a code for the error body and
/// a message for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// One integration's stream of events.
#[async_trait]
pub trait Feed: Send + Sync + 'static {
    /// Name used in links, the inbox and `/webhooks/{integration}`.
    fn integration(&self) -> &'static str;

    /// The request header that carries a delivery's signature.
    fn signature_header(&self) -> &'static str;

    /// Checks a webhook delivery: its signature over the raw body, made
    /// within the tolerance of `now` (unix seconds).
    fn verify(&self, signature: Option<&str>, body: &[u8], now: i64) -> Result<(), Refusal>;

    /// Reads an event's envelope (a delivery's body, or an item of the list).
    fn envelope(&self, event: &Value) -> Result<Envelope, Refusal>;

    /// The event with this id as the integration holds it; `None` when it
    /// knows no such event (a forgery). Confirms a delivery before it is
    /// applied, when the integration's settings ask for it.
    async fn retrieve(&self, id: &str) -> Result<Option<Value>, SyncError>;

    /// Every event made at or after `from` (unix seconds), in any order.
    async fn events_since(&self, from: i64) -> Result<Polled, SyncError>;

    /// How far (seconds) each poll reads again behind the newest event seen:
    /// an event that shows up in the list late (a transaction that commits
    /// after its stamp) is still found, and the inbox drops the repeats.
    fn poll_overlap(&self) -> i64 {
        60
    }
}

/// What one poll of an integration's changes found.
#[derive(Debug, Default)]
pub struct Polled {
    pub events: Vec<Value>,
    /// False when part of the read did not go through (`problem` says why):
    /// what was read is stored, and the cursor stays for the next poll.
    pub complete: bool,
    /// The integration has covered changes only up to here (unix seconds):
    /// a transaction that started then may still commit older changes, so
    /// the cursor does not pass it.
    pub covered_until: Option<i64>,
    /// Why the read was not complete.
    pub problem: Option<String>,
    /// Changes that can no longer be read (a purged delete log), for a person
    /// to know: a reconcile then shows what differs.
    pub missed: Option<String>,
}

impl Polled {
    /// Everything there was, read whole.
    pub fn whole(events: Vec<Value>) -> Self {
        Self { events, complete: true, ..Self::default() }
    }
}

/// A catalog record as an integration holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRecord<V> {
    pub external_id: String,
    /// Our id, when the record carries a well-formed one.
    pub our_id: Option<Uuid>,
    /// The version of ours we last wrote to it (0: never written by us).
    pub written_version: i64,
    /// Deleted there: the integration says so (a delete event, a read of a
    /// record it reports deleted). Never set for a record merely not found.
    pub deleted: bool,
    /// Deleted there by a merge into this other record (Salesforce's
    /// `MasterRecordId`): the person lives on as that one, so it is no
    /// delete of the entity.
    pub merged_into: Option<String>,
    /// The synced fields as the integration holds them, unchecked.
    pub values: V,
    /// The record as read, kept with a conflict for a person to look at.
    pub snapshot: Value,
}

/// One page of an integration's list of records.
#[derive(Debug, Clone)]
pub struct Page<V> {
    pub records: Vec<RemoteRecord<V>>,
    /// Where the next page starts; `None` on the last one.
    pub next: Option<String>,
}

/// One (catalog × integration) pair's inward side.
pub trait Source<C: InwardCatalog>: Send + Sync + 'static {
    fn integration(&self) -> &'static str;

    /// The integration's name for people ("Stripe"), in what we record.
    fn display_name(&self) -> &'static str;

    /// The record an event is about, as the event carries it; `Ok(None)`
    /// when the event is not about this catalog, `Err` when it cannot be
    /// read (never retried).
    fn decode(&self, envelope: &Envelope, event: &Value) -> Result<Option<RemoteRecord<C::Remote>>, String>;

    /// True when an event only says that the record changed, and its
    /// current state is read and applied instead of the event's copy: for
    /// records one write of ours makes in several calls (an invoice, then
    /// its lines), whose events show our half-made states. Such an event
    /// also waits while a write of ours to the record is in doubt, and is
    /// applied once that write is settled.
    fn reads_current_state(&self) -> bool {
        false
    }

    /// The integration's clock less ours, as far as it can tell: its events
    /// are stamped on its clock, and a local edit is compared with them
    /// (the later one wins) on that clock too.
    fn clock_offset(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::zero()
    }

    /// Now on the integration's clock (unix seconds): when a state read now
    /// was current, for the order of its events.
    fn now(&self) -> i64 {
        (chrono::Utc::now() + self.clock_offset()).timestamp()
    }

    /// The record as the integration holds it now; `deleted` only when the
    /// integration says it was deleted. A record it cannot find but does
    /// not report deleted (hidden by sharing, the wrong account) is
    /// `SyncError::Missing`, never a delete.
    fn get(&self, external_id: &str) -> impl Future<Output = Result<RemoteRecord<C::Remote>, SyncError>> + Send;

    /// One page of every live record, starting after `after`.
    fn list_page(&self, after: Option<&str>) -> impl Future<Output = Result<Page<C::Remote>, SyncError>> + Send;
}
