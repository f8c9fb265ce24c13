//! Database access: one module per table, each with its read and insert types.

pub mod api_keys;
pub mod changes;
pub mod create_attempts;
pub mod customers;
pub mod idempotency_keys;
pub mod inbound_events;
pub mod invoices;
mod migrate;
pub mod outbox;
pub mod outside_deletions;
pub mod poll_cursors;
mod pool;
pub mod rate_limits;
pub mod reconcile_runs;
pub mod remote_deletions;
pub mod storable;
pub mod sync_conflicts;
pub mod sync_links;
pub mod sync_writes;

pub use migrate::run_migrations;
pub use pool::{build_pool, ping, Conn, PgPool};

/// The time `hours` ago: where history older than a retention period starts.
pub(crate) fn hours_ago(hours: u64) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() - chrono::Duration::hours(i64::try_from(hours).unwrap_or(i64::MAX / 3_600_000))
}
