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
    /// The outside record is gone (deleted there): an outcome to apply here,
    /// not a failure of the change.
    #[error("{message}")]
    Gone { message: String },
    /// Our own database is unreachable: not the change's fault, requeue it.
    #[error("database: {0}")]
    Database(String),
}

impl From<diesel::result::Error> for SyncError {
    fn from(e: diesel::result::Error) -> Self {
        SyncError::Database(e.to_string())
    }
}

impl From<shared_models::Error> for SyncError {
    fn from(e: shared_models::Error) -> Self {
        SyncError::Database(e.to_string())
    }
}
