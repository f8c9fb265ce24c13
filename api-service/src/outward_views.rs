//! How the outward sync is doing beyond link statuses, as `GET /sync/status`
//! shows it: the writes whose outcome the integration has not told yet.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Writes sent to the integration without a certain answer yet (a timeout,
/// a lost answer, a 5xx). Each is sent again, under its idempotency key,
/// before any newer write of its entity; one that stays long means the
/// integration keeps failing to answer.
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(example = json!({"count": 1, "oldest_since": "2026-11-21T08:15:01.918Z"}))]
pub struct WritesInDoubt {
    pub count: i64,
    /// When the oldest of them was first journaled.
    pub oldest_since: Option<DateTime<Utc>>,
}
