use std::future::Future;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::SyncError;

/// What a conditional update is conditional on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Precondition {
    /// When this version was made, or our last write was answered,
    /// whichever is later, on our clock: the outside record must not have
    /// changed after it.
    pub since: DateTime<Utc>,
    /// The version and the fingerprint of what our last answered write put
    /// there. A record changed after `since` that still holds exactly that
    /// was changed by our hand only: the two clocks disagree, or the outside
    /// system compares finer than a second. It takes the write.
    pub ours: Option<(i64, String)>,
}

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
    /// `precondition`: the later edit wins, so the write is meant only if
    /// the outside record did not change after `since`. An integration that
    /// can make a write conditional (HTTP `If-Unmodified-Since`) answers
    /// `SyncError::Superseded` when the record did change, unless it holds
    /// exactly `record` (our own write sent earlier) or exactly what our
    /// last answered write left (`ours`: a change by our own hand). One
    /// that cannot ignores it.
    fn update(
        &self,
        external_id: &str,
        record: &R,
        idempotency_key: &str,
        precondition: Option<&Precondition>,
    ) -> impl Future<Output = Result<(), SyncError>> + Send;

    /// Deletes the outside record; one that is already gone counts as done.
    fn delete(&self, external_id: &str, idempotency_key: &str) -> impl Future<Output = Result<(), SyncError>> + Send;
}
