use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::SyncError;

/// One outside system's side of the sync for records of type `R`. Every
/// write carries an idempotency key, and the same key always comes with the
/// same record: a resend after an unknown outcome must be a no-op if the
/// first one landed.
pub trait Connector<R>: Send + Sync + 'static {
    /// Name used in queue names, sync links and the API (`stripe`).
    fn integration(&self) -> &'static str;

    /// Checked once when a worker starts: what the outside system must hold
    /// for the sync to work (custom fields, say). An error stops the worker
    /// at start with what to set up, instead of failing every change later.
    fn preflight(&self) -> impl Future<Output = Result<(), SyncError>> + Send {
        async { Ok(()) }
    }

    /// True when `create` is made of several calls (an invoice, then its
    /// lines) and itself finds and finishes an earlier, partial create of
    /// the same record. A create in doubt is then sent again under its key
    /// instead of being settled by a lookup, which would take a record
    /// found half made for a whole one.
    fn create_resumes(&self) -> bool {
        false
    }

    /// An outside record that carries our id, searched by lookup keys: how a
    /// create whose result was never recorded is found again.
    fn find(&self, our_id: Uuid, lookup_keys: &[String]) -> impl Future<Output = Result<Option<String>, SyncError>> + Send;

    /// Creates the record (with our id attached) and returns its outside id.
    fn create(&self, record: &R, idempotency_key: &str) -> impl Future<Output = Result<String, SyncError>> + Send;

    /// Overwrites the outside record with `record`. A record deleted there
    /// is `SyncError::Gone`.
    ///
    /// `unmodified_since`: the later edit wins, so the write is meant only
    /// if the outside record did not change after this time (when this
    /// version was made, or our last write was answered, whichever is
    /// later). An integration that can make a write conditional (HTTP
    /// `If-Unmodified-Since`) answers `SyncError::Superseded` when the
    /// record did change, unless it holds exactly `record` (our own write
    /// sent earlier). One that cannot ignores it.
    fn update(
        &self,
        external_id: &str,
        record: &R,
        idempotency_key: &str,
        unmodified_since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<(), SyncError>> + Send;

    /// Deletes the outside record; one that is already gone counts as done.
    fn delete(&self, external_id: &str, idempotency_key: &str) -> impl Future<Output = Result<(), SyncError>> + Send;
}
