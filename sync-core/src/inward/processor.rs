use std::sync::Arc;
use std::time::Duration;

use diesel_async::AsyncConnection;
use shared_models::db::{inbound_events, outside_deletions, remote_deletions, PgPool};
use shared_models::error::Context;
use shared_models::metrics;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::{Envelope, InwardPair, Outcome};
use crate::SyncError;

/// When nothing woke it, the processor still looks for due retries this often.
const IDLE_CHECK: Duration = Duration::from_secs(1);
/// How often handled events past their retention are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3_600);

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

/// One handled event: its id and what became of it.
#[derive(Debug)]
pub struct Handled {
    pub event_id: String,
    pub event_type: String,
    /// When the integration made the event (unix seconds).
    pub event_created: i64,
    pub result: Result<Outcome, String>,
}

impl Handled {
    fn observe(&self) {
        let outcome = match &self.result {
            Ok(outcome) => outcome.status.as_str(),
            Err(_) => "retrying",
        };
        metrics::WEBHOOK_EVENTS.with_label_values(&[&self.event_type, "handled", outcome]).inc();
        if let (Ok(outcome), Some(created)) = (&self.result, chrono::DateTime::from_timestamp(self.event_created, 0)) {
            if outcome.effect.is_some_and(|e| e != super::Effect::Held) {
                metrics::observe_lag("inward", created);
            }
        }
    }
}

/// Drains the inbox: applies pending events, oldest first, each in its own
/// transaction together with its inbox row, so an event is applied once. An
/// event is applied by the pairs of its own integration.
pub struct Processor {
    pool: PgPool,
    pairs: Arc<[Arc<dyn InwardPair>]>,
    wake: Arc<Notify>,
    retry: RetryPolicy,
    retention_hours: u64,
}

impl Processor {
    pub fn new(pool: PgPool, pairs: Arc<[Arc<dyn InwardPair>]>, wake: Arc<Notify>, retry: RetryPolicy, retention_hours: u64) -> Self {
        Self { pool, pairs, wake, retry, retention_hours }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        let mut next_prune = tokio::time::Instant::now();
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            if tokio::time::Instant::now() >= next_prune {
                next_prune += PRUNE_EVERY;
                self.prune().await;
            }
            let busy = match self.process_one().await {
                Ok(Some(handled)) => {
                    match &handled.result {
                        Ok(outcome) => log::info!("event {}: {} ({})", handled.event_id, outcome.status.as_str(), outcome.detail),
                        Err(e) => log::warn!("event {} not applied yet: {e}", handled.event_id),
                    }
                    true
                }
                Ok(None) => false,
                Err(e) => {
                    log::warn!("inbox processing paused: {e}");
                    false
                }
            };
            if busy {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(IDLE_CHECK) => {}
            }
        }
    }

    async fn prune(&self) {
        let pruned = match self.pool.get().await {
            Ok(mut conn) => match inbound_events::prune_handled(&mut conn, self.retention_hours).await {
                Ok(n) => match remote_deletions::prune(&mut conn, self.retention_hours).await {
                    Ok(_) => outside_deletions::prune(&mut conn, self.retention_hours).await.map(|_| n),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Err(e) => Err(shared_models::Error::Pool { context: "pruning the inbox", message: e.to_string() }),
        };
        match pruned {
            Ok(0) => {}
            Ok(n) => log::info!("pruned {n} handled inbound event(s) older than {} h", self.retention_hours),
            Err(e) => log::warn!("could not prune the inbox: {e}"),
        }
    }

    /// Applies the oldest due event; `None` when none is due.
    pub async fn process_one(&self) -> Result<Option<Handled>, SyncError> {
        let mut conn = self.pool.get().await.context("checking out a connection for the inbox")?;
        let pairs = &self.pairs;
        let retry = self.retry;
        conn.transaction::<Option<Handled>, SyncError, _>(async |conn| {
            let Some(stored) = inbound_events::claim_next(conn).await? else { return Ok(None) };
            let envelope = Envelope { id: stored.event_id.clone(), kind: stored.event_type.clone(), created: stored.event_created };
            // A savepoint: a failed apply leaves the claim (and this
            // transaction) usable to record the failure.
            let attempt = conn
                .transaction::<Outcome, SyncError, _>(async |conn| {
                    apply(pairs, conn, &stored.integration, &envelope, &stored.payload).await
                })
                .await;
            let result = match attempt {
                Ok(outcome) => {
                    inbound_events::finish(conn, &stored.integration, &stored.event_id, outcome.status, Some(&outcome.detail)).await?;
                    Ok(outcome)
                }
                Err(error) => {
                    let attempts = u32::try_from(stored.attempts).unwrap_or(0) + 1;
                    let give_up = matches!(error, SyncError::BadPayload(_)) || attempts >= retry.max_attempts;
                    let delay = retry.base_delay.saturating_mul(1 << attempts.min(16)).min(retry.max_delay);
                    inbound_events::retry_later(conn, &stored.integration, &stored.event_id, &error.to_string(), delay, give_up).await?;
                    Err(error.to_string())
                }
            };
            Ok(Some(Handled { event_id: stored.event_id, event_type: stored.event_type, event_created: stored.event_created, result }))
        })
        .await
        .inspect(|handled| handled.iter().for_each(Handled::observe))
    }
}

/// Applies an event by the first pair of its integration that it is about.
async fn apply(
    pairs: &[Arc<dyn InwardPair>],
    conn: &mut diesel_async::AsyncPgConnection,
    integration: &str,
    envelope: &Envelope,
    payload: &serde_json::Value,
) -> Result<Outcome, SyncError> {
    let mut runs_here = false;
    // Plain loops: iterator adapters' closures trip the borrow checker's
    // higher-ranked checks inside the transaction's future.
    for pair in pairs {
        if pair.integration() != integration {
            continue;
        }
        runs_here = true;
        if let Some(outcome) = pair.apply_event(conn, envelope, payload).await? {
            return Ok(outcome);
        }
    }
    if !runs_here {
        // Never read as another integration's event.
        let detail = format!("no source of {integration} events runs here; it is not read as another integration's event");
        return Ok(Outcome::ignored(detail));
    }
    Ok(Outcome::ignored(format!("catalog-sync does not handle {} events", envelope.kind)))
}
