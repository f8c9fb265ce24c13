use chrono::{DateTime, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::dsl::{now, IntervalDsl};
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Timestamptz;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{Context, Error};
use crate::schema::reconcile_runs;
use crate::text_enum::text_enum;

/// A running run whose heartbeat is older than this belongs to a process
/// that stopped (its runner heartbeats far more often than this).
pub const STALE_AFTER_SECONDS: i32 = 60;
/// The error of a run whose process stopped while it ran.
pub const ABANDONED: &str = "abandoned: the process running it stopped";
/// The error of a requested run that no webhook-service claimed in time.
pub const UNCLAIMED: &str = "never started: no webhook-service took the request (is one running?)";

/// The unique index that lets only one run be `requested` or `running`.
const ONE_RUNNING: &str = "reconcile_runs_one_running";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Asked for over the API; webhook-service has not claimed it yet.
    Requested,
    Running,
    Finished,
    Failed,
}

/// What started a run: `POST /sync/reconcile` or `webhook-service reconcile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema, AsExpression, FromSqlRow)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "snake_case")]
pub enum StartedBy {
    Api,
    Command,
}

text_enum!(RunStatus, "reconcile run status", {
    Requested => "requested",
    Running => "running",
    Finished => "finished",
    Failed => "failed",
});

text_enum!(StartedBy, "reconcile run starter", { Api => "api", Command => "command" });

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reconcile_runs)]
pub struct ReconcileRun {
    pub id: Uuid,
    pub started_by: StartedBy,
    pub dry_run: bool,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The reconcile's summary so far (webhook-service's `Summary`).
    pub summary: serde_json::Value,
    pub error: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = reconcile_runs)]
pub struct NewReconcileRun<'a> {
    pub id: Uuid,
    pub started_by: StartedBy,
    pub status: RunStatus,
    pub dry_run: bool,
    pub summary: &'a serde_json::Value,
}

/// What became of a start.
#[derive(Debug)]
pub enum Start {
    /// Recorded as running, after marking the `abandoned` runs failed.
    Started { run: ReconcileRun, abandoned: Vec<Uuid> },
    /// Another run is running (its id, unless it ended in the meantime).
    Refused { running: Option<Uuid> },
}

/// Marks as failed the running runs whose process stopped heartbeating, and
/// the requested runs nobody claimed.
pub async fn abandon_stale(conn: &mut AsyncPgConnection) -> Result<Vec<Uuid>, Error> {
    let mut failed = Vec::new();
    for (status, error) in [(RunStatus::Running, ABANDONED), (RunStatus::Requested, UNCLAIMED)] {
        let ids: Vec<Uuid> = diesel::update(reconcile_runs::table)
            .filter(reconcile_runs::status.eq(status))
            .filter(reconcile_runs::heartbeat_at.lt(now.into_sql::<Timestamptz>() - STALE_AFTER_SECONDS.seconds()))
            .set((reconcile_runs::status.eq(RunStatus::Failed), reconcile_runs::finished_at.eq(now), reconcile_runs::error.eq(error)))
            .returning(reconcile_runs::id)
            .get_results(conn)
            .await
            .context("marking abandoned reconcile runs")?;
        failed.extend(ids);
    }
    Ok(failed)
}

/// Records a new run (`status`: running, or requested for webhook-service
/// to claim), unless another one is requested or runs (in any process).
pub async fn start(conn: &mut AsyncPgConnection, new: &NewReconcileRun<'_>) -> Result<Start, Error> {
    let abandoned = abandon_stale(conn).await?;
    let inserted = diesel::insert_into(reconcile_runs::table).values(new).returning(ReconcileRun::as_returning()).get_result(conn).await;
    match inserted {
        Ok(run) => Ok(Start::Started { run, abandoned }),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) if info.constraint_name() == Some(ONE_RUNNING) => {
            let running = reconcile_runs::table
                .filter(reconcile_runs::status.eq_any([RunStatus::Requested, RunStatus::Running]))
                .select(reconcile_runs::id)
                .first(conn)
                .await
                .optional()
                .context("reading the running reconcile run")?;
            Ok(Start::Refused { running })
        }
        Err(e) => Err(e).context("recording a reconcile run"),
    }
}

/// Claims the oldest requested run: it is running from now on, in the
/// caller's process. `None` when nothing is requested.
pub async fn claim_requested(conn: &mut AsyncPgConnection) -> Result<Option<ReconcileRun>, Error> {
    conn.transaction::<_, DieselError, _>(async |conn| {
        let oldest: Option<Uuid> = reconcile_runs::table
            .filter(reconcile_runs::status.eq(RunStatus::Requested))
            .order(reconcile_runs::started_at.asc())
            .select(reconcile_runs::id)
            .for_update()
            .skip_locked()
            .first(conn)
            .await
            .optional()?;
        let Some(id) = oldest else { return Ok(None) };
        diesel::update(reconcile_runs::table.find(id))
            .set((reconcile_runs::status.eq(RunStatus::Running), reconcile_runs::heartbeat_at.eq(now)))
            .returning(ReconcileRun::as_returning())
            .get_result(conn)
            .await
            .map(Some)
    })
    .await
    .context("claiming a requested reconcile run")
}

/// Stores the summary so far and moves the heartbeat on; false when the run
/// is no longer running (it ended, or was taken for abandoned).
pub async fn heartbeat(conn: &mut AsyncPgConnection, id: Uuid, summary: &serde_json::Value) -> Result<bool, Error> {
    let updated = diesel::update(reconcile_runs::table.find(id))
        .filter(reconcile_runs::status.eq(RunStatus::Running))
        .set((reconcile_runs::summary.eq(summary), reconcile_runs::heartbeat_at.eq(now)))
        .execute(conn)
        .await
        .context("recording a reconcile run's progress")?;
    Ok(updated == 1)
}

/// Records how a running run ended; false when it was no longer running.
pub async fn finish(conn: &mut AsyncPgConnection, id: Uuid, summary: &serde_json::Value, error: Option<&str>) -> Result<bool, Error> {
    let status = if error.is_some() { RunStatus::Failed } else { RunStatus::Finished };
    let updated = diesel::update(reconcile_runs::table.find(id))
        .filter(reconcile_runs::status.eq(RunStatus::Running))
        .set((
            reconcile_runs::status.eq(status),
            reconcile_runs::summary.eq(summary),
            reconcile_runs::error.eq(error),
            reconcile_runs::heartbeat_at.eq(now),
            reconcile_runs::finished_at.eq(now),
        ))
        .execute(conn)
        .await
        .context("recording the end of a reconcile run")?;
    Ok(updated == 1)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<ReconcileRun>, Error> {
    reconcile_runs::table.find(id).select(ReconcileRun::as_select()).first(conn).await.optional().context("reading a reconcile run")
}

/// The latest runs, newest first.
pub async fn recent(conn: &mut AsyncPgConnection, limit: i64) -> Result<Vec<ReconcileRun>, Error> {
    reconcile_runs::table
        .select(ReconcileRun::as_select())
        .order((reconcile_runs::started_at.desc(), reconcile_runs::id.desc()))
        .limit(limit)
        .load(conn)
        .await
        .context("listing reconcile runs")
}
