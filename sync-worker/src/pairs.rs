//! What each pair of this worker is doing, for `/ready`: consuming, or
//! waiting for its integration (out of reach at start), or stopped for
//! something a person must fix. A pair that waits never holds back the
//! others: Stripe's changes keep flowing while Salesforce is away.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use actix_web::HttpResponse;
use serde_json::json;
use shared_models::pairs::Pair;
use sync_core::{AnyWorker, SyncError};
use tokio_util::sync::CancellationToken;

/// Longest wait between two checks of an integration that was out of reach.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Each pair's state, by name (`customer:salesforce`).
#[derive(Clone, Default)]
pub struct PairStates(Arc<Mutex<BTreeMap<String, String>>>);

impl PairStates {
    pub fn set(&self, pair: &Pair, state: impl Into<String>) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(pair.name(), state.into());
    }

    /// 200 when every pair consumes, else 503, with each pair's state
    /// (`running`, `waiting`, `stopped`); why is in the log, not told to
    /// whoever asks (this answer needs no key).
    pub fn ready(&self) -> HttpResponse {
        let states = self.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let ready = states.values().all(|s| s == "running");
        let body = json!({"status": if ready { "ready" } else { "unavailable" }, "pairs": states});
        if ready {
            HttpResponse::Ok().json(body)
        } else {
            HttpResponse::ServiceUnavailable().json(body)
        }
    }
}

/// Runs one pair: checks its integration until it answers (a pair found
/// not ready at start waits here), then consumes until `shutdown`. Found
/// not ready for good (a refused sign-in, a missing field) after a wait,
/// it stops and says why; the other pairs go on.
pub async fn run(pair: Pair, worker: Box<dyn AnyWorker>, checked: bool, states: PairStates, shutdown: CancellationToken) {
    let mut backoff = Duration::from_secs(1);
    let mut ready = checked;
    while !ready {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        match worker.preflight_boxed().await {
            Ok(()) => ready = true,
            Err(e @ SyncError::Permanent { .. }) => {
                log::error!("{} stopped: {} is not ready for the sync: {e}", pair.name(), pair.integration);
                states.set(&pair, "stopped");
                return;
            }
            Err(e) => {
                log::warn!("{} still waits for {}: {e}", pair.name(), pair.integration);
                states.set(&pair, "waiting");
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    states.set(&pair, "running");
    log::info!("sync-worker consuming the changes of {}", pair.name());
    worker.run_boxed(shutdown).await;
}
