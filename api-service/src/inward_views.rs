//! How the inward sync is doing, as `GET /sync/status` shows it: the poller
//! of the integration's event list and the inbox still to be applied. A
//! poller that fails every interval, or an inbox that stops draining, shows
//! here (and in webhook-service's `/ready`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_models::db::inbound_events::Backlog;
use shared_models::db::poll_cursors::PollState;
use utoipa::ToSchema;

/// The poller of the integration's event list (poll mode).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "consecutive_failures": 0, "created_from": 1795000000, "failing": false, "last_error": null,
    "last_failure_at": null, "last_success_at": "2026-11-21T08:15:01.918Z"
}))]
pub struct PollerView {
    /// Polls failed in a row since the last success.
    pub consecutive_failures: i32,
    /// Events created at or after this (Unix seconds) are still to be read.
    pub created_from: i64,
    /// Whether it failed so many polls in a row (5) that Stripe's changes
    /// no longer arrive this way; webhook-service's `/ready` is 503 then.
    pub failing: bool,
    /// Why the last poll failed, while it keeps failing.
    pub last_error: Option<String>,
    pub last_failure_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Changes the integration said could no longer be read (Salesforce's
    /// delete log purged before a poll read it): a reconcile shows what
    /// differs. Kept until it happens again.
    pub missed: Option<String>,
    pub missed_at: Option<DateTime<Utc>>,
}

impl From<PollState> for PollerView {
    fn from(state: PollState) -> Self {
        let failing = state.is_failing();
        let PollState { name: _, created_from, last_success_at, last_failure_at, consecutive_failures, last_error, missed, missed_at } =
            state;
        Self { consecutive_failures, created_from, failing, last_error, last_failure_at, last_success_at, missed, missed_at }
    }
}

/// The inbound events still to be applied.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({
    "oldest_pending_received_at": "2026-11-21T08:15:01.918Z", "oldest_retrying_received_at": null, "pending": 1, "retrying": 0
}))]
pub struct InboxBacklog {
    /// When the oldest pending event was received: long ago means the
    /// processor is stuck, not busy.
    pub oldest_pending_received_at: Option<DateTime<Utc>>,
    /// When the oldest event whose last attempt failed was received.
    pub oldest_retrying_received_at: Option<DateTime<Utc>>,
    /// Events not applied yet.
    pub pending: i64,
    /// Of those, the ones whose last attempt failed (waiting for a retry).
    pub retrying: i64,
}

impl From<Backlog> for InboxBacklog {
    fn from(backlog: Backlog) -> Self {
        let Backlog { integration: _, pending, retrying, oldest_pending_received_at, oldest_retrying_received_at } = backlog;
        Self { oldest_pending_received_at, oldest_retrying_received_at, pending, retrying }
    }
}
