//! Reconcile runs recorded in `reconcile_runs`, whoever starts them: the API
//! lists every run of every process, and only one runs at a time.

use std::time::Duration;

use serde_json::Value;
use shared_models::db::reconcile_runs::{self, NewReconcileRun, ReconcileRun, RunStatus, Start, StartedBy};
use shared_models::db::PgPool;
use shared_models::error::Context;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{Progress, Reconciler, Summary};
use crate::SyncError as Error;

/// Progress reaches the database at most this often (a page of customers
/// can take a few milliseconds).
const WRITE_EVERY: Duration = Duration::from_millis(500);
/// Written even without progress (one slow Stripe call, a long page), well
/// within `reconcile_runs::STALE_AFTER_SECONDS`, so a live run is never taken
/// for abandoned.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// A run recorded as running, not started yet.
pub struct RecordedRun {
    reconciler: Reconciler,
    row: ReconcileRun,
}

impl Reconciler {
    /// Records a run; refused with [`Error::AlreadyRunning`] while another
    /// one runs, in this process or any other. A running run whose process
    /// stopped is marked failed first.
    pub async fn record(self, started_by: StartedBy, dry_run: bool) -> Result<RecordedRun, Error> {
        let summary = to_json(&Summary { dry_run, ..Summary::default() });
        let new = NewReconcileRun { id: Uuid::now_v7(), started_by, status: RunStatus::Running, dry_run, summary: &summary };
        let mut conn = self.pool.get().await.context("checking out a connection to record a reconcile run")?;
        match reconcile_runs::start(&mut conn, &new).await? {
            Start::Started { run, abandoned } => {
                for id in abandoned {
                    log::warn!("reconcile {id} marked failed: {}", reconcile_runs::ABANDONED);
                }
                Ok(RecordedRun { reconciler: self, row: run })
            }
            Start::Refused { running } => Err(Error::AlreadyRunning(running)),
        }
    }

    /// Claims the oldest run requested over the API, if any: it is this
    /// process's to run from now on.
    pub async fn claim(self) -> Result<Option<RecordedRun>, Error> {
        let mut conn = self.pool.get().await.context("checking out a connection to claim a reconcile request")?;
        let claimed = reconcile_runs::claim_requested(&mut conn).await?;
        drop(conn);
        Ok(claimed.map(|row| RecordedRun { reconciler: self, row }))
    }
}

impl RecordedRun {
    /// The run as recorded at its start.
    pub fn row(&self) -> &ReconcileRun {
        &self.row
    }

    /// Runs the reconcile, telling `progress` and the database how it goes,
    /// and records how it ended.
    pub async fn run(self, progress: &dyn Progress) -> Result<Summary, Error> {
        let (id, dry_run, pool) = (self.row.id, self.row.dry_run, self.reconciler.pool.clone());
        let (latest, summaries) = watch::channel(Summary { dry_run, ..Summary::default() });
        let stop = CancellationToken::new();
        let recorder = tokio::spawn(keep_recording(pool.clone(), id, summaries, stop.clone()));
        let result = self.reconciler.run(dry_run, &Recording { latest: &latest, also: progress }).await;
        stop.cancel();
        let _ = recorder.await;
        let (summary, error) = match &result {
            Ok(summary) => (summary.clone(), None),
            Err(e) => {
                log::error!("reconcile {id} failed: {e}");
                (latest.borrow().clone(), Some(e.to_string()))
            }
        };
        if let Err(e) = finish(&pool, id, &summary, error.as_deref()).await {
            log::error!("reconcile {id}: recording its end failed ({e}); it shows as abandoned once its heartbeat is stale");
        }
        result
    }
}

async fn finish(pool: &PgPool, id: Uuid, summary: &Summary, error: Option<&str>) -> Result<(), Error> {
    let mut conn = pool.get().await.context("checking out a connection to record a reconcile's end")?;
    if !reconcile_runs::finish(&mut conn, id, &to_json(summary), error).await? {
        log::warn!("reconcile {id} ended, but was already recorded as failed ({})", reconcile_runs::ABANDONED);
    }
    Ok(())
}

/// Passes each summary on, and keeps the latest for the recorder.
struct Recording<'a> {
    latest: &'a watch::Sender<Summary>,
    also: &'a dyn Progress,
}

impl Progress for Recording<'_> {
    fn report(&self, summary: &Summary) {
        self.latest.send_replace(summary.clone());
        self.also.report(summary);
    }
}

/// Writes the latest summary when it changed (at most every `WRITE_EVERY`),
/// and at least every `HEARTBEAT`, until `stop`.
async fn keep_recording(pool: PgPool, id: Uuid, mut summaries: watch::Receiver<Summary>, stop: CancellationToken) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            changed = summaries.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(HEARTBEAT) => {}
        }
        let summary = to_json(&summaries.borrow_and_update());
        let written = async {
            let mut conn = pool.get().await.context("checking out a connection to record a reconcile's progress")?;
            reconcile_runs::heartbeat(&mut conn, id, &summary).await
        };
        match written.await {
            Ok(true) => {}
            Ok(false) => log::warn!("reconcile {id} is no longer recorded as running"),
            // The next write may get through; the run itself goes on.
            Err(e) => log::warn!("reconcile {id}: recording its progress failed: {e}"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(WRITE_EVERY) => {}
        }
    }
}

fn to_json(summary: &Summary) -> Value {
    serde_json::to_value(summary).unwrap_or_default()
}
