use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::inbound_events;

/// Where an inbound event stands. Only `pending` rows are still to be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundStatus {
    Pending,
    /// It changed the catalog.
    Applied,
    /// Handled, and rightly changed nothing: an echo of our own write, older
    /// than what was applied, or no difference (`detail` says which).
    Skipped,
    /// A type of event we do not handle.
    Ignored,
    /// The outside record breaks a local rule; see `sync_conflicts`.
    Rejected,
    /// Could not be applied after every attempt (`detail` has the error).
    Failed,
}

impl InboundStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            InboundStatus::Pending => "pending",
            InboundStatus::Applied => "applied",
            InboundStatus::Skipped => "skipped",
            InboundStatus::Ignored => "ignored",
            InboundStatus::Rejected => "rejected",
            InboundStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_events)]
pub struct InboundEvent {
    pub integration: String,
    pub event_id: String,
    pub event_type: String,
    pub event_created: i64,
    pub payload: serde_json::Value,
    pub source: String,
    pub status: String,
    pub detail: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = inbound_events)]
pub struct NewInboundEvent<'a> {
    pub integration: &'a str,
    pub event_id: &'a str,
    pub event_type: &'a str,
    pub event_created: i64,
    pub payload: &'a serde_json::Value,
    pub source: &'a str,
}

/// Stores the event unless its id is already in the inbox; true if stored.
pub async fn insert(conn: &mut AsyncPgConnection, event: NewInboundEvent<'_>) -> Result<bool, Error> {
    let inserted = diesel::insert_into(inbound_events::table)
        .values(event)
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .context("storing an inbound event")?;
    Ok(inserted == 1)
}

/// The oldest due pending event, locked; one another processor holds is
/// skipped, so several webhook-service instances can apply side by side.
pub async fn claim_next(conn: &mut AsyncPgConnection) -> Result<Option<InboundEvent>, diesel::result::Error> {
    inbound_events::table
        .filter(inbound_events::status.eq(InboundStatus::Pending.as_str()))
        .filter(inbound_events::next_attempt_at.le(diesel::dsl::now))
        .order((inbound_events::event_created.asc(), inbound_events::received_at.asc()))
        .select(InboundEvent::as_select())
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()
}

/// Records how the event was handled, in the transaction that handled it.
pub async fn finish(
    conn: &mut AsyncPgConnection,
    integration: &str,
    event_id: &str,
    status: InboundStatus,
    detail: Option<&str>,
) -> Result<(), diesel::result::Error> {
    diesel::update(inbound_events::table.find((integration, event_id)))
        .set((
            inbound_events::status.eq(status.as_str()),
            inbound_events::detail.eq(detail),
            inbound_events::attempts.eq(inbound_events::attempts + 1),
            inbound_events::processed_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A failed attempt: tried again after `delay`, or `failed` for good.
pub async fn retry_later(
    conn: &mut AsyncPgConnection,
    integration: &str,
    event_id: &str,
    error: &str,
    delay: std::time::Duration,
    give_up: bool,
) -> Result<(), Error> {
    let due = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(60));
    let status = if give_up { InboundStatus::Failed } else { InboundStatus::Pending };
    diesel::update(inbound_events::table.find((integration, event_id)))
        .set((
            inbound_events::status.eq(status.as_str()),
            inbound_events::detail.eq(error),
            inbound_events::attempts.eq(inbound_events::attempts + 1),
            inbound_events::next_attempt_at.eq(due),
        ))
        .execute(conn)
        .await
        .context("scheduling another attempt at an inbound event")?;
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, integration: &str, event_id: &str) -> Result<Option<InboundEvent>, Error> {
    inbound_events::table
        .find((integration, event_id))
        .select(InboundEvent::as_select())
        .first(conn)
        .await
        .optional()
        .context("reading an inbound event")
}

pub async fn count_pending(conn: &mut AsyncPgConnection) -> Result<i64, Error> {
    inbound_events::table
        .filter(inbound_events::status.eq(InboundStatus::Pending.as_str()))
        .count()
        .get_result(conn)
        .await
        .context("counting pending inbound events")
}

/// Handled events older than `hours` are history only; drop them.
pub async fn prune_handled(conn: &mut AsyncPgConnection, hours: u64) -> Result<usize, Error> {
    let cutoff = super::hours_ago(hours);
    diesel::delete(
        inbound_events::table
            .filter(inbound_events::status.ne(InboundStatus::Pending.as_str()))
            .filter(inbound_events::received_at.lt(cutoff)),
    )
    .execute(conn)
    .await
    .context("pruning handled inbound events")
}

/// Per integration and status: how many events, and the newest received
/// and handled times.
pub async fn summary(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<(String, String, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>)>, Error> {
    use diesel::dsl::{count_star, max};
    inbound_events::table
        .group_by((inbound_events::integration, inbound_events::status))
        .select((
            inbound_events::integration,
            inbound_events::status,
            count_star(),
            max(inbound_events::received_at),
            max(inbound_events::processed_at),
        ))
        .load(conn)
        .await
        .context("summarising inbound events")
}
