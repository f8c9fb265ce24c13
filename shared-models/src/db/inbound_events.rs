use chrono::{DateTime, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::storable;
use crate::error::{Context, Error};
use crate::schema::inbound_events;
use crate::text_enum::text_enum;

/// Where an inbound event stands. Only `pending` rows are still to be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
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

text_enum!(InboundStatus, "inbound event status", {
    Pending => "pending",
    Applied => "applied",
    Skipped => "skipped",
    Ignored => "ignored",
    Rejected => "rejected",
    Failed => "failed",
});

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_events)]
pub struct InboundEvent {
    pub integration: String,
    pub event_id: String,
    pub event_type: String,
    pub event_created: i64,
    pub payload: serde_json::Value,
    pub source: String,
    pub status: InboundStatus,
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
/// A payload PostgreSQL cannot hold as it is (a NUL in a string) is stored
/// escaped and marked; readers of this module get the original back.
pub async fn insert(conn: &mut AsyncPgConnection, event: NewInboundEvent<'_>) -> Result<bool, Error> {
    let (payload, escaped) = storable::escape_json(event.payload);
    let inserted = diesel::insert_into(inbound_events::table)
        .values((NewInboundEvent { payload: &payload, ..event }, inbound_events::payload_escaped.eq(escaped)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .context("storing an inbound event")?;
    Ok(inserted == 1)
}

/// The oldest due pending event, locked; one another processor holds is
/// skipped, so several webhook-service instances can apply side by side.
pub async fn claim_next(conn: &mut AsyncPgConnection) -> Result<Option<InboundEvent>, diesel::result::Error> {
    let row = inbound_events::table
        .filter(inbound_events::status.eq(InboundStatus::Pending))
        .filter(inbound_events::next_attempt_at.le(diesel::dsl::now))
        .order((inbound_events::event_created.asc(), inbound_events::received_at.asc()))
        .select((InboundEvent::as_select(), inbound_events::payload_escaped))
        .for_update()
        .skip_locked()
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(original))
}

/// The event with the payload as it was received.
fn original((event, escaped): (InboundEvent, bool)) -> InboundEvent {
    InboundEvent { payload: storable::unescape_json(event.payload, escaped), ..event }
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
            inbound_events::status.eq(status),
            inbound_events::detail.eq(detail.map(storable::text).as_deref()),
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
            inbound_events::status.eq(status),
            inbound_events::detail.eq(storable::text(error).as_ref()),
            inbound_events::attempts.eq(inbound_events::attempts + 1),
            inbound_events::next_attempt_at.eq(due),
        ))
        .execute(conn)
        .await
        .context("scheduling another attempt at an inbound event")?;
    Ok(())
}

pub async fn find(conn: &mut AsyncPgConnection, integration: &str, event_id: &str) -> Result<Option<InboundEvent>, Error> {
    let row = inbound_events::table
        .find((integration, event_id))
        .select((InboundEvent::as_select(), inbound_events::payload_escaped))
        .first(conn)
        .await
        .optional()
        .context("reading an inbound event")?;
    Ok(row.map(original))
}

/// Which of `event_ids` of the integration the inbox holds already: a poll
/// that reads a window again stores only the new ones, in one round trip.
pub async fn known(
    conn: &mut AsyncPgConnection,
    integration: &str,
    event_ids: &[&str],
) -> Result<std::collections::HashSet<String>, Error> {
    let known: Vec<String> = inbound_events::table
        .filter(inbound_events::integration.eq(integration))
        .filter(inbound_events::event_id.eq_any(event_ids))
        .select(inbound_events::event_id)
        .load(conn)
        .await
        .context("reading which polled events are in the inbox")?;
    Ok(known.into_iter().collect())
}

pub async fn count_pending(conn: &mut AsyncPgConnection) -> Result<i64, Error> {
    inbound_events::table
        .filter(inbound_events::status.eq(InboundStatus::Pending))
        .count()
        .get_result(conn)
        .await
        .context("counting pending inbound events")
}

/// Handled events older than `hours` are history only; drop them.
pub async fn prune_handled(conn: &mut AsyncPgConnection, hours: u64) -> Result<usize, Error> {
    let cutoff = super::hours_ago(hours);
    diesel::delete(
        inbound_events::table.filter(inbound_events::status.ne(InboundStatus::Pending)).filter(inbound_events::received_at.lt(cutoff)),
    )
    .execute(conn)
    .await
    .context("pruning handled inbound events")
}

/// Per integration and status: how many events, and the newest received
/// and handled times.
pub async fn summary(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<(String, InboundStatus, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>)>, Error> {
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

/// An integration's events still to be applied, for telling a processor
/// that is stuck from one that is merely busy.
#[derive(Debug, Clone, Default, QueryableByName, serde::Serialize)]
pub struct Backlog {
    #[serde(skip)]
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub integration: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub pending: i64,
    /// Of those, the ones whose last attempt failed (waiting for a retry).
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub retrying: i64,
    /// When the oldest of the pending ones was received.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub oldest_pending_received_at: Option<DateTime<Utc>>,
    /// When the oldest of the retrying ones was received.
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub oldest_retrying_received_at: Option<DateTime<Utc>>,
}

/// The backlog of each integration that has pending events.
pub async fn backlogs(conn: &mut AsyncPgConnection) -> Result<Vec<Backlog>, Error> {
    diesel::sql_query(
        "SELECT integration, count(*) AS pending, count(*) FILTER (WHERE attempts > 0) AS retrying, \
         min(received_at) AS oldest_pending_received_at, \
         min(received_at) FILTER (WHERE attempts > 0) AS oldest_retrying_received_at \
         FROM inbound_events WHERE status = 'pending' GROUP BY integration",
    )
    .load(conn)
    .await
    .context("measuring the inbox backlog")
}

/// The backlog of `integration` (zero when nothing is pending).
pub async fn backlog(conn: &mut AsyncPgConnection, integration: &str) -> Result<Backlog, Error> {
    let found = backlogs(conn).await?.into_iter().find(|b| b.integration == integration);
    Ok(found.unwrap_or_else(|| Backlog { integration: integration.to_owned(), ..Backlog::default() }))
}
