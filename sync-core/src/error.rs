use std::time::Duration;

use thiserror::Error;

/// How a sync attempt failed, which decides what happens to the message.
#[derive(Debug, Error)]
pub enum SyncError {
    /// Worth retrying later (network, timeout, 429, 5xx).
    #[error("{message}")]
    Transient { message: String, retry_after: Option<Duration> },
    /// Retrying the same request cannot help (4xx other than 429).
    #[error("{message}")]
    Permanent { message: String },
    /// The integration says the outside record was deleted (Salesforce's
    /// `ENTITY_IS_DELETED`, a Stripe customer read back `deleted: true`): an
    /// outcome, not a failure. Outward, the engine deletes nothing itself:
    /// it asks the inward side to read the record and take the delete in
    /// (by the inward rules, the mass-deletion guard included).
    #[error("{message}")]
    Gone { message: String },
    /// Not found there, and not deleted there as far as the integration
    /// says: a 404 also comes from sharing, a hidden or renamed field, or
    /// the wrong account or org. Never a deletion. Nothing is written or
    /// deleted; the problem shows on the record, and the change is tried
    /// again later, using none of its attempts, until a person fixes the
    /// cause.
    #[error("{message}")]
    Missing { message: String },
    /// The outside record was merged there into another one (Salesforce's
    /// merge deletes the losers): the person lives on as `into`, which the
    /// entity is linked to instead. Not a deletion.
    #[error("{message}")]
    Merged { message: String, into: String },
    /// The integration holds this entity already, as a record of its own (a
    /// duplicate rule that matched exactly one): the entity is linked to it
    /// instead of a second one being made, unless another entity stands for
    /// it (then both are kept, as a visible conflict).
    #[error("{message}")]
    Matched { message: String, existing: String },
    /// The integration refuses a value of this version (an email it cannot
    /// hold): sending it again cannot help, and an operator has nothing to
    /// replay. The link shows why, once, until the entity changes; nothing
    /// is dead-lettered, and the other integrations still get it.
    #[error("{message}")]
    Rejected { message: String },
    /// A conditional update was refused for certain because the outside
    /// record changed after the local edit (HTTP 412): that edit is the
    /// later one and wins. Nothing was written; the inward side brings it in.
    #[error("{message}")]
    Superseded { message: String },
    /// The integration answered a failure it keeps under the write's
    /// idempotency key: Stripe saves the answer of a request that began
    /// executing, a 500 included, and replays it to every resend with that
    /// key for at least 24 hours. The write may or may not have happened.
    /// Retried like `Transient`, but under a new key derived from the
    /// journal; what the integration holds is read first (a create is
    /// looked up, a converge reads before it writes), so nothing doubles.
    #[error("{message}")]
    Unsettled { message: String },
    /// Our own database is unreachable: not the change's fault, requeue it.
    /// Keeps its cause.
    #[error(transparent)]
    Database(#[from] shared_models::Error),
    /// A stored event that cannot be read: retrying would not help.
    #[error("the stored event cannot be read: {0}")]
    BadPayload(String),
    /// Another reconcile runs (its id, unless it ended meanwhile).
    #[error("another reconcile is running{}", .0.map(|id| format!(" ({id})")).unwrap_or_default())]
    AlreadyRunning(Option<uuid::Uuid>),
}

impl From<diesel::result::Error> for SyncError {
    fn from(source: diesel::result::Error) -> Self {
        SyncError::Database(shared_models::Error::Database { context: "syncing an entity", source })
    }
}

impl SyncError {
    /// A connection could not be had from the pool.
    pub fn pool(context: &'static str, error: impl std::fmt::Display) -> Self {
        SyncError::Database(shared_models::Error::Pool { context, message: error.to_string() })
    }
}
