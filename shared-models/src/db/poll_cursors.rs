use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::poll_cursors;

/// Polls failed in a row after which a poller counts as failing: webhook-
/// service's `/ready` answers 503 and `/sync/status` says so. One or two
/// failures are a passing hiccup of the network or of the integration.
pub const FAILING_AFTER: i32 = 5;

/// A poller's cursor and how its polls have gone. Cursors are named
/// `<integration>.<feed>` (`stripe.events`).
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = poll_cursors)]
pub struct PollState {
    pub name: String,
    /// Events created at or after this (unix seconds) are still to be read.
    pub created_from: i64,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_failure_at: Option<DateTime<Utc>>,
    /// Polls failed in a row since the last success.
    pub consecutive_failures: i32,
    /// Why the last poll failed, while it keeps failing.
    pub last_error: Option<String>,
    /// Changes the integration said could no longer be read, and when.
    pub missed: Option<String>,
    pub missed_at: Option<DateTime<Utc>>,
}

impl PollState {
    pub fn integration(&self) -> &str {
        self.name.split_once('.').map_or(self.name.as_str(), |(integration, _)| integration)
    }

    pub fn is_failing(&self) -> bool {
        self.consecutive_failures >= FAILING_AFTER
    }
}

/// Where the poller `name` reads from next (unix seconds), if it ever ran.
pub async fn get(conn: &mut AsyncPgConnection, name: &str) -> Result<Option<i64>, Error> {
    poll_cursors::table.find(name).select(poll_cursors::created_from).first(conn).await.optional().context("reading a poll cursor")
}

/// Moves the cursor forward only: two pollers racing never move it back.
pub async fn advance(conn: &mut AsyncPgConnection, name: &str, created_from: i64) -> Result<(), Error> {
    diesel::insert_into(poll_cursors::table)
        .values((poll_cursors::name.eq(name), poll_cursors::created_from.eq(created_from)))
        .on_conflict(poll_cursors::name)
        .do_update()
        .set((
            poll_cursors::created_from
                .eq(diesel::dsl::sql::<diesel::sql_types::BigInt>("GREATEST(poll_cursors.created_from, excluded.created_from)")),
            poll_cursors::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .context("saving a poll cursor")?;
    Ok(())
}

/// A poll went through: the failure streak is over.
pub async fn record_success(conn: &mut AsyncPgConnection, name: &str) -> Result<(), Error> {
    diesel::update(poll_cursors::table.find(name))
        .set((
            poll_cursors::last_success_at.eq(diesel::dsl::now),
            poll_cursors::consecutive_failures.eq(0),
            poll_cursors::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await
        .context("recording a successful poll")?;
    Ok(())
}

/// A poll failed with `error`. A poller whose first poll failed has no
/// cursor yet: it gets one at the current time, where that poll would have
/// started.
pub async fn record_failure(conn: &mut AsyncPgConnection, name: &str, error: &str) -> Result<(), Error> {
    let error = super::storable::text(error);
    diesel::insert_into(poll_cursors::table)
        .values((
            poll_cursors::name.eq(name),
            poll_cursors::created_from.eq(Utc::now().timestamp()),
            poll_cursors::last_failure_at.eq(diesel::dsl::now),
            poll_cursors::consecutive_failures.eq(1),
            poll_cursors::last_error.eq(error.as_ref()),
        ))
        .on_conflict(poll_cursors::name)
        .do_update()
        .set((
            poll_cursors::last_failure_at.eq(diesel::dsl::now),
            poll_cursors::consecutive_failures.eq(poll_cursors::consecutive_failures + 1),
            poll_cursors::last_error.eq(error.as_ref()),
        ))
        .execute(conn)
        .await
        .context("recording a failed poll")?;
    Ok(())
}

/// Changes that could no longer be read (a purged delete log): kept with
/// the poller, newest first, for a person to see.
pub async fn record_missed(conn: &mut AsyncPgConnection, name: &str, missed: &str) -> Result<(), Error> {
    let missed = super::storable::text(missed);
    diesel::update(poll_cursors::table.find(name))
        .set((poll_cursors::missed.eq(missed.as_ref()), poll_cursors::missed_at.eq(diesel::dsl::now)))
        .execute(conn)
        .await
        .context("recording changes a poll missed")?;
    Ok(())
}

/// The poller `name`, if it ever ran.
pub async fn find(conn: &mut AsyncPgConnection, name: &str) -> Result<Option<PollState>, Error> {
    poll_cursors::table.find(name).select(PollState::as_select()).first(conn).await.optional().context("reading a poller's state")
}

/// Every poller that ever ran, by name.
pub async fn list(conn: &mut AsyncPgConnection) -> Result<Vec<PollState>, Error> {
    poll_cursors::table.order(poll_cursors::name).select(PollState::as_select()).load(conn).await.context("reading the pollers' state")
}
