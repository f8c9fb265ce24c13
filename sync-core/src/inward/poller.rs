use std::sync::Arc;
use std::time::Duration;

use shared_models::db::{inbound_events, poll_cursors, PgPool};
use shared_models::error::Context;
use shared_models::metrics;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Feed;
use crate::SyncError;

/// Inward sync without a public URL: reads an integration's event list
/// every interval and puts what it finds in the inbox, the same path
/// webhooks take. One per integration.
pub struct Poller {
    pool: PgPool,
    feed: Arc<dyn Feed>,
    cursor: String,
    interval: Duration,
    wake: Arc<Notify>,
}

impl Poller {
    pub fn new(pool: PgPool, feed: Arc<dyn Feed>, interval: Duration, wake: Arc<Notify>) -> Self {
        let cursor = Self::cursor_of(feed.integration());
        Self { pool, feed, cursor, interval, wake }
    }

    /// The cursor (and the health record) of an integration's poller.
    pub fn cursor_of(integration: &str) -> String {
        format!("{integration}.events")
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.poll_once().await {
                Ok(0) => {}
                Ok(stored) => log::info!("poll: {stored} new {} event(s) stored", self.feed.integration()),
                Err(e) => log::warn!("poll of {}'s events failed, next try in {:?}: {e}", self.feed.integration(), self.interval),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    /// One poll; returns how many events were new to the inbox. Its outcome
    /// is recorded with the cursor, so that a poller failing every interval
    /// shows in `/ready` and `/sync/status` (of any instance); so are
    /// changes the integration says can no longer be read.
    pub async fn poll_once(&self) -> Result<usize, SyncError> {
        let polled = self.poll().await;
        let recorded = match self.pool.get().await {
            Ok(mut conn) => match &polled {
                Ok((_, problem, missed)) => {
                    let recorded = match problem {
                        None => poll_cursors::record_success(&mut conn, &self.cursor).await,
                        Some(problem) => poll_cursors::record_failure(&mut conn, &self.cursor, problem).await,
                    };
                    match (recorded, missed) {
                        (Ok(()), Some(missed)) => poll_cursors::record_missed(&mut conn, &self.cursor, missed).await,
                        (other, _) => other,
                    }
                }
                Err(e) => poll_cursors::record_failure(&mut conn, &self.cursor, &e.to_string()).await,
            },
            Err(e) => Err(shared_models::Error::Pool { context: "recording how a poll went", message: e.to_string() }),
        };
        if let Err(e) = recorded {
            log::warn!("could not record how the poll went: {e}");
        }
        let (stored, problem, missed) = polled?;
        if let Some(missed) = missed {
            log::warn!("poll of {}: {missed}", self.feed.integration());
        }
        match problem {
            // What was read is stored; the rest is read again next time.
            Some(problem) => Err(SyncError::Transient { message: format!("{stored} event(s) stored, but {problem}"), retry_after: None }),
            None => Ok(stored),
        }
    }

    /// The first poll ever starts at the current time: earlier history is
    /// the job of a reconcile, not of the event list.
    /// (events new to the inbox, why the read was incomplete, what was missed).
    async fn poll(&self) -> Result<(usize, Option<String>, Option<String>), SyncError> {
        let mut conn = self.pool.get().await.context("checking out a connection for the poller")?;
        let from = match poll_cursors::get(&mut conn, &self.cursor).await? {
            Some(from) => from,
            None => {
                let now = chrono::Utc::now().timestamp();
                poll_cursors::advance(&mut conn, &self.cursor, now).await?;
                now
            }
        };
        let polled = self.feed.events_since(from - self.feed.poll_overlap()).await?;
        let mut parsed: Vec<_> = polled
            .events
            .into_iter()
            .filter_map(|value| match self.feed.envelope(&value) {
                Ok(event) => Some((event, value)),
                Err(e) => {
                    log::warn!("skipping an event in {}'s list that cannot be read: {e}", self.feed.integration());
                    None
                }
            })
            .collect();
        parsed.sort_by_key(|(event, _)| event.created);
        // The overlap reads the same events poll after poll: the ones the
        // inbox holds are left out in one read, not tried one insert each.
        let ids: Vec<&str> = parsed.iter().map(|(event, _)| event.id.as_str()).collect();
        let known = inbound_events::known(&mut conn, self.feed.integration(), &ids).await?;
        let mut stored = 0;
        let mut newest = from;
        for (event, value) in &parsed {
            newest = newest.max(event.created);
            if known.contains(&event.id) {
                continue;
            }
            if super::store(&mut conn, self.feed.integration(), event, value, "poll").await? {
                log::info!("event {} ({}) found by polling", event.id, event.kind);
                metrics::WEBHOOK_EVENTS.with_label_values(&[&event.kind, "received", "polled"]).inc();
                stored += 1;
            }
        }
        if polled.complete {
            // Never past what the integration says it has covered: a
            // transaction still running may commit changes stamped earlier.
            let cursor = polled.covered_until.map_or(newest, |covered| newest.min(covered));
            poll_cursors::advance(&mut conn, &self.cursor, cursor).await?;
        }
        if stored > 0 {
            self.wake.notify_one();
        }
        Ok((stored, polled.problem, polled.missed))
    }
}
