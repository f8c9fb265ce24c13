use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared_models::config::Settings;
use utoipa::ToSchema;
use uuid::Uuid;
use webhook_service::reconcile::{Progress, Reconciler, Summary};

use crate::error::ApiError;

/// Runs kept for `GET /sync/reconcile` (the oldest go first).
const KEPT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Finished,
    Failed,
}

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
    /// repaired stays repaired).
    pub error: Option<String>,
}

/// The reconcile runs of this api-service process, newest first. One runs
/// at a time; a reconcile is also safe next to one started elsewhere (the
/// `webhook-service reconcile` command), only slower.
#[derive(Clone, Default)]
pub struct ReconcileRuns(Arc<Mutex<Vec<ReconcileRun>>>);

impl ReconcileRuns {
    fn with<T>(&self, f: impl FnOnce(&mut Vec<ReconcileRun>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    pub fn list(&self) -> Vec<ReconcileRun> {
        self.with(|runs| runs.clone())
    }

    pub fn get(&self, id: Uuid) -> Option<ReconcileRun> {
        self.with(|runs| runs.iter().find(|r| r.id == id).cloned())
    }

    /// Starts a run in the background; refused while one is running.
    pub fn start(&self, settings: &Settings, dry_run: bool) -> Result<ReconcileRun, ApiError> {
        let reconciler = Reconciler::from_settings(settings).map_err(|e| ApiError::Unavailable(format!("cannot reconcile: {e}")))?;
        let run = ReconcileRun {
            id: Uuid::now_v7(),
            status: RunStatus::Running,
            dry_run,
            started_at: Utc::now(),
            finished_at: None,
            summary: Summary { dry_run, ..Summary::default() },
            error: None,
        };
        self.with(|runs| {
            if let Some(running) = runs.iter().find(|r| r.status == RunStatus::Running) {
                return Err(ApiError::AlreadyRunning(format!("reconcile {} is still running", running.id)));
            }
            runs.insert(0, run.clone());
            runs.truncate(KEPT);
            Ok(())
        })?;
        let (this, id) = (self.clone(), run.id);
        tokio::spawn(async move {
            let result = reconciler.run(dry_run, &RunProgress { runs: this.clone(), id }).await;
            this.update(id, |run| {
                run.finished_at = Some(Utc::now());
                match result {
                    Ok(summary) => {
                        run.summary = summary;
                        run.status = RunStatus::Finished;
                    }
                    Err(e) => {
                        log::error!("reconcile {id} failed: {e}");
                        run.status = RunStatus::Failed;
                        run.error = Some(e.to_string());
                    }
                }
            });
        });
        Ok(run)
    }

    fn update(&self, id: Uuid, change: impl FnOnce(&mut ReconcileRun)) {
        self.with(|runs| runs.iter_mut().find(|r| r.id == id).map(change));
    }
}

struct RunProgress {
    runs: ReconcileRuns,
    id: Uuid,
}

impl Progress for RunProgress {
    fn report(&self, summary: &Summary) {
        self.runs.update(self.id, |run| run.summary = summary.clone());
    }
}
