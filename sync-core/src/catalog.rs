//! What the sync core asks of a catalog: where its entities live, how an
//! outside copy of one is recognised, and how a delete found outside is
//! applied. It names no catalog; `catalogs/` implements it.

use std::future::Future;
use std::time::Duration;

use diesel_async::AsyncPgConnection;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

/// The current state of a catalog entity as the worker pushes it.
#[derive(Debug, Clone)]
pub struct Snapshot<R> {
    pub version: i64,
    /// When this version was made: an edit made outside after it is the
    /// later one, and wins over it.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub deleted: bool,
    pub record: R,
}

/// Whether an entity can go out to an integration now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// It needs something first (an invoice, its customer linked there):
    /// the change waits and comes back after `retry_after`, using none of
    /// its attempts, with `why` shown on its link. Never dead-lettered.
    Wait {
        why: String,
        retry_after: Duration,
    },
}

/// A catalog the worker can sync: where its entities live and how an
/// outside copy of one is recognised without a stored link.
pub trait Catalog: Send + Sync + 'static {
    /// Serializable: the record a write sends is journaled before it goes
    /// out, and a resend is built from the journal.
    type Record: Send + Sync + Clone + Serialize + DeserializeOwned + 'static;
    const ENTITY_TYPE: &'static str;

    fn load(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<Snapshot<Self::Record>>, diesel::result::Error>> + Send;

    /// Completes the record for `integration` before it is written there,
    /// from what is known of other entities (the outside id of an
    /// invoice's customer), or says what it waits for. Called in the
    /// transaction that journals the write; the default is ready as loaded.
    fn prepare(
        _conn: &mut AsyncPgConnection,
        _integration: &str,
        _record: &mut Self::Record,
    ) -> impl Future<Output = Result<Readiness, diesel::result::Error>> + Send {
        async { Ok(Readiness::Ready) }
    }

    /// What to search the outside system by when the link is missing.
    fn lookup_key(record: &Self::Record) -> String;

    /// The synced fields of the record, fingerprinted: stored with each
    /// write so that the write's echo from the outside is recognised.
    fn fingerprint(record: &Self::Record) -> String;
}
