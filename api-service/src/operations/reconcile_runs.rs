use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_models::db::reconcile_runs::{self, NewReconcileRun, RunStatus, Start, StartedBy};
use shared_models::db::PgPool;
use shared_models::error::Context;
use shared_models::reconcile::Summary;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ApiError;

/// Runs shown by `GET /sync/reconcile`. Older ones stay in the table: a
/// run is one small row, and reconciles are started by hand or by a timer.
const LISTED: i64 = 20;

/// One reconcile, running or done, with its summary so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReconcileRun {
    pub id: Uuid,
    pub status: RunStatus,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub summary: Summary,
    /// Why it stopped, when it failed (a rerun starts over; what was
    /// repaired stays repaired). A run whose process stopped while it ran
    /// is failed as abandoned.
    pub error: Option<String>,
    /// `api` for `POST /sync/reconcile`, `command` for `webhook-service reconcile`.
    pub started_by: StartedBy,
}

impl TryFrom<reconcile_runs::ReconcileRun> for ReconcileRun {
    type Error = ApiError;

    fn try_from(row: reconcile_runs::ReconcileRun) -> Result<Self, ApiError> {
        let summary = serde_json::from_value(row.summary)
            .map_err(|e| ApiError::Internal(format!("the summary of reconcile {} cannot be read: {e}", row.id)))?;
        Ok(Self {
            id: row.id,
            status: row.status,
            dry_run: row.dry_run,
            started_at: row.started_at,
            finished_at: row.finished_at,
            summary,
            error: row.error,
            started_by: row.started_by,
        })
    }
}

/// Asks for a run: recorded as `requested`, for webhook-service (which owns
/// the inward side and Stripe's keys) to claim and run. Refused while one
/// is requested or running, here or in any other process.
pub async fn start(pool: &PgPool, dry_run: bool) -> Result<ReconcileRun, ApiError> {
    let summary = serde_json::to_value(Summary { dry_run, ..Summary::default() })
        .map_err(|e| ApiError::Internal(format!("cannot record a reconcile's summary: {e}")))?;
    let new = NewReconcileRun { id: Uuid::now_v7(), started_by: StartedBy::Api, status: RunStatus::Requested, dry_run, summary: &summary };
    let mut conn = pool.get().await.context("checking out a connection to request a reconcile")?;
    match reconcile_runs::start(&mut conn, &new).await? {
        Start::Started { run, .. } => ReconcileRun::try_from(run),
        Start::Refused { running } => Err(ApiError::AlreadyRunning(match running {
            Some(id) => format!("another reconcile is running ({id})"),
            None => "another reconcile is running".to_owned(),
        })),
    }
}

/// The latest runs of every process, newest first. Runs whose process
/// stopped are shown failed rather than running for ever.
pub async fn list(pool: &PgPool) -> Result<Vec<ReconcileRun>, ApiError> {
    let mut conn = pool.get().await.context("checking out a connection to list reconcile runs")?;
    reconcile_runs::abandon_stale(&mut conn).await?;
    reconcile_runs::recent(&mut conn, LISTED).await?.into_iter().map(ReconcileRun::try_from).collect()
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<ReconcileRun>, ApiError> {
    let mut conn = pool.get().await.context("checking out a connection to read a reconcile run")?;
    reconcile_runs::abandon_stale(&mut conn).await?;
    reconcile_runs::find(&mut conn, id).await?.map(ReconcileRun::try_from).transpose()
}
