//! Reconciles asked for over the API: api-service records a `requested` run,
//! and the service that owns the inward side and the integrations' keys
//! claims and runs it. Every instance looks; the claim lets exactly one
//! take it.

use std::sync::Arc;
use std::time::Duration;

use shared_models::db::PgPool;
use tokio_util::sync::CancellationToken;

use super::Reconciler;
use crate::inward::InwardPair;

/// How often an idle instance looks for a request: a run started over the
/// API begins within about this long.
const LOOK_EVERY: Duration = Duration::from_secs(1);

pub struct RequestRunner {
    pool: PgPool,
    pairs: Arc<[Arc<dyn InwardPair>]>,
}

impl RequestRunner {
    pub fn new(pool: PgPool, pairs: Arc<[Arc<dyn InwardPair>]>) -> Self {
        Self { pool, pairs }
    }

    /// Runs the requested reconciles one after another until `shutdown`.
    /// A run in hand when shutdown comes is dropped mid-way; its heartbeat
    /// stops, and it shows as abandoned a minute later (a rerun is safe).
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let reconciler = Reconciler::new(self.pool.clone(), self.pairs.clone());
            match reconciler.claim().await {
                Ok(Some(run)) => {
                    let id = run.row().id;
                    log::info!("reconcile {id} requested over the API: running it");
                    tokio::select! {
                        // The run records its own end, an error included.
                        _ = run.run(&()) => {}
                        () = shutdown.cancelled() => return,
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => log::warn!("could not look for requested reconciles: {e}"),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(LOOK_EVERY) => {}
            }
        }
    }
}
