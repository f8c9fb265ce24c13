//! Reconciles asked for over the API: api-service records a `requested` run,
//! and webhook-service, which owns the inward side and Stripe's keys, claims
//! and runs it. Every instance looks; the claim lets exactly one take it.

use std::sync::Arc;
use std::time::Duration;

use shared_models::db::PgPool;
use tokio_util::sync::CancellationToken;

use super::Reconciler;
use crate::inbound::Applier;

/// How often an idle instance looks for a request: a run started over the
/// API begins within about this long.
const LOOK_EVERY: Duration = Duration::from_secs(1);

pub struct RequestRunner {
    pool: PgPool,
    applier: Arc<Applier>,
}

impl RequestRunner {
    pub fn new(pool: PgPool, applier: Arc<Applier>) -> Self {
        Self { pool, applier }
    }

    /// Runs the requested reconciles one after another until `shutdown`.
    /// A run in hand when shutdown comes is dropped mid-way; its heartbeat
    /// stops, and it shows as abandoned a minute later (a rerun is safe).
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let reconciler = Reconciler::new(self.pool.clone(), self.applier.clone());
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
