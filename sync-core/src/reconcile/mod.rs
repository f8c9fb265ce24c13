//! Reconcile: compares the whole catalog with the whole of an integration,
//! pair by pair, and repairs every difference by the rules of the live
//! sync. It is how a missed webhook, a lost message or a change made while a
//! service was down gets repaired, and it is the initial import of an
//! existing outside account.
//!
//! 1. Every outside record (the paginated list) is applied like an event
//!    made when the page was read: missing entities are created here,
//!    changed ones updated, unlinked ones with a known key linked.
//! 2. Every linked live entity the list did not show is read one by one:
//!    deleted there means deleted here.
//! 3. Every local entity the integration does not hold the latest version
//!    of gets a change message again; the worker writes it, exactly as for
//!    an edit.
//!
//! Each record is one transaction that takes the same locks as the live
//! sync, so a reconcile can run next to it. A dry run makes the same
//! decisions and rolls each one back.

mod local_side;
mod recorded;
mod remote_side;
mod requests;

pub use recorded::RecordedRun;
pub use requests::RequestRunner;
pub use shared_models::reconcile::{Changes, Checked, Phase, Summary};

use std::collections::HashSet;
use std::sync::Arc;

use diesel_async::{AsyncConnection, AsyncPgConnection, TransactionManager};
use shared_models::db::inbound_events::InboundStatus;
use shared_models::db::PgPool;
use shared_models::error::Context;
use shared_models::sync::Operation;

use crate::inward::{Effect, Inward, InwardCatalog, InwardPair, Outcome, Source};
use crate::SyncError;

/// Local entities compared per database read.
const LOCAL_PAGE: i64 = 500;

/// Counts what one listed record came to.
fn count(summary: &mut Summary, outcome: &Outcome) {
    match outcome.effect {
        Some(Effect::Created) => summary.catalog.created += 1,
        Some(Effect::Updated) => summary.catalog.updated += 1,
        Some(Effect::Deleted) => summary.catalog.deleted += 1,
        Some(Effect::Linked) => summary.linked += 1,
        Some(Effect::Restored) => summary.restored += 1,
        Some(Effect::Held) => summary.held += 1,
        Some(Effect::Requeued { operation: Operation::Deleted, .. }) => summary.remote.deleted += 1,
        Some(Effect::Requeued { .. }) => summary.remote.updated += 1,
        None if outcome.status == InboundStatus::Rejected => summary.conflicts += 1,
        None => summary.unchanged += 1,
    }
}

/// Told about the summary as the reconcile goes.
pub trait Progress: Send + Sync {
    fn report(&self, summary: &Summary);
}

/// No progress reporting.
impl Progress for () {
    fn report(&self, _summary: &Summary) {}
}

/// Reconciles every pair of the registry, one after another.
pub struct Reconciler {
    pool: PgPool,
    pairs: Arc<[Arc<dyn InwardPair>]>,
}

impl Reconciler {
    pub fn new(pool: PgPool, pairs: Arc<[Arc<dyn InwardPair>]>) -> Self {
        Self { pool, pairs }
    }

    /// Runs all three phases of every pair; the summary so far goes to
    /// `progress` after every page. Stops at the first error (a rerun picks
    /// up from scratch; what was repaired stays repaired).
    pub async fn run(&self, dry_run: bool, progress: &dyn Progress) -> Result<Summary, SyncError> {
        let mut summary = Summary { dry_run, ..Summary::default() };
        log::info!("reconcile started{}", if dry_run { " (dry run)" } else { "" });
        for pair in self.pairs.iter() {
            pair.reconcile(self, &mut summary, progress).await?;
        }
        summary.phase = Phase::Done;
        progress.report(&summary);
        log::info!("reconcile finished: {}", serde_json::to_string(&summary).unwrap_or_default());
        Ok(summary)
    }

    /// Runs `work` in a transaction of its own, rolled back in a dry run.
    async fn step<T>(&self, dry_run: bool, work: impl AsyncFnOnce(&mut AsyncPgConnection) -> Result<T, SyncError>) -> Result<T, SyncError> {
        type Tm = <AsyncPgConnection as AsyncConnection>::TransactionManager;
        let mut conn = self.pool.get().await.context("checking out a connection for reconcile")?;
        Tm::begin_transaction(&mut *conn).await?;
        match work(&mut *conn).await {
            Ok(done) if dry_run => {
                Tm::rollback_transaction(&mut *conn).await?;
                Ok(done)
            }
            Ok(done) => {
                Tm::commit_transaction(&mut *conn).await?;
                Ok(done)
            }
            Err(e) => {
                if let Err(rollback) = Tm::rollback_transaction(&mut *conn).await {
                    log::warn!("reconcile: rolling back after {e} failed too: {rollback}");
                }
                Err(e)
            }
        }
    }
}

/// The three phases for one pair.
pub(crate) async fn pair<C: InwardCatalog, S: Source<C>>(
    r: &Reconciler,
    pair: &Inward<C, S>,
    summary: &mut Summary,
    progress: &dyn Progress,
) -> Result<(), SyncError> {
    let mut requeued = HashSet::new();
    let seen = remote_side::read_list(r, pair, summary, &mut requeued, progress).await?;
    remote_side::read_missing(r, pair, &seen, summary, &mut requeued, progress).await?;
    local_side::queue_lagging(r, pair, &requeued, summary, progress).await
}
