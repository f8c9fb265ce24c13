use std::sync::Arc;
use std::time::Duration;

use shared_models::db::{poll_cursors, PgPool};
use shared_models::error::Context;
use shared_models::metrics;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::event::StripeEvent;
use crate::stripe_api::StripeApi;
use crate::Error;

/// The cursor (and the health record) of the poller of Stripe's events.
pub const CURSOR: &str = "stripe.events";
/// Each poll reads again this far behind the newest event seen: an event
/// that shows up in the list late (or in a second already read) is still
/// found, and the inbox drops the ones already stored.
const OVERLAP_SECONDS: i64 = 60;

/// Inward sync without a public URL: reads `GET /v1/events` every interval
/// and puts what it finds in the inbox, the same path webhooks take.
pub struct Poller {
    pool: PgPool,
    api: Arc<StripeApi>,
    interval: Duration,
    wake: Arc<Notify>,
}

impl Poller {
    pub fn new(pool: PgPool, api: Arc<StripeApi>, interval: Duration, wake: Arc<Notify>) -> Self {
        Self { pool, api, interval, wake }
    }

    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.poll_once().await {
                Ok(0) => {}
                Ok(stored) => log::info!("poll: {stored} new Stripe event(s) stored"),
                Err(e) => log::warn!("poll of Stripe's events failed, next try in {:?}: {e}", self.interval),
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.interval) => {}
            }
        }
    }

    /// One poll; returns how many events were new to the inbox. Its outcome
    /// is recorded with the cursor, so that a poller failing every interval
    /// shows in `/ready` and `/sync/status` (of any instance).
    pub async fn poll_once(&self) -> Result<usize, Error> {
        let polled = self.poll().await;
        let recorded = match self.pool.get().await {
            Ok(mut conn) => match &polled {
                Ok(_) => poll_cursors::record_success(&mut conn, CURSOR).await,
                Err(e) => poll_cursors::record_failure(&mut conn, CURSOR, &e.to_string()).await,
            },
            Err(e) => Err(shared_models::Error::Pool { context: "recording how a poll went", message: e.to_string() }),
        };
        if let Err(e) = recorded {
            log::warn!("could not record how the poll went: {e}");
        }
        polled
    }

    /// The first poll ever starts at the current time: earlier history is
    /// the job of a reconcile, not of the event list.
    async fn poll(&self) -> Result<usize, Error> {
        let mut conn = self.pool.get().await.context("checking out a connection for the poller")?;
        let from = match poll_cursors::get(&mut conn, CURSOR).await? {
            Some(from) => from,
            None => {
                let now = chrono::Utc::now().timestamp();
                poll_cursors::advance(&mut conn, CURSOR, now).await?;
                now
            }
        };
        let (events, complete) = self.api.events_since(from - OVERLAP_SECONDS).await.map_err(Error::Stripe)?;
        let mut parsed: Vec<_> = events
            .into_iter()
            .filter_map(|value| match StripeEvent::from_value(&value) {
                Ok(event) => Some((event, value)),
                Err(e) => {
                    log::warn!("skipping an event in Stripe's list that cannot be read: {e}");
                    None
                }
            })
            .collect();
        parsed.sort_by_key(|(event, _)| event.created);
        let mut stored = 0;
        let mut newest = from;
        for (event, value) in &parsed {
            if super::store(&mut conn, event, value, "poll").await? {
                log::info!("event {} ({}) found by polling", event.id, event.event_type);
                metrics::WEBHOOK_EVENTS.with_label_values(&[&event.event_type, "received", "polled"]).inc();
                stored += 1;
            }
            newest = newest.max(event.created);
        }
        if complete {
            poll_cursors::advance(&mut conn, CURSOR, newest).await?;
        }
        if stored > 0 {
            self.wake.notify_one();
        }
        Ok(stored)
    }
}
