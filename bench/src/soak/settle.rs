//! Quiescence: the sync has nothing left to do. The outbox is relayed, the
//! inbox has nothing pending, the work and retry queues are empty, no write
//! is in doubt (`sync_writes`), no link is `pending`, and Stripe holds no
//! request on its way. Only then are both sides compared.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::rig::Rig;

/// Quiet for this long in a row: longer than the emulator's webhook delay
/// (1 s) plus a poll interval (1 s), so no event of Stripe is still coming.
const QUIET_FOR: Duration = Duration::from_secs(4);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub outbox_unpublished: i64,
    pub inbox_pending: i64,
    pub work_queue: u32,
    pub retry_queues: u32,
    pub writes_in_doubt: i64,
    pub links_pending: i64,
    pub stripe_held: u64,
}

impl Backlog {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

pub async fn backlog(rig: &Rig) -> Backlog {
    let db = &rig.stack.db;
    let topology = rig.stack.topology();
    let amqp = &rig.stack.broker.url;
    let mut retry_queues = 0;
    for tier in &topology.tiers {
        retry_queues += testkit::queue_depth(amqp, &topology.retry_queue("stripe", "customer", *tier)).await;
    }
    Backlog {
        outbox_unpublished: db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await,
        inbox_pending: db.count("SELECT count(*) FROM inbound_events WHERE status = 'pending'").await,
        work_queue: testkit::queue_depth(amqp, &topology.work_queue("stripe", "customer")).await,
        retry_queues,
        writes_in_doubt: db.count("SELECT count(*) FROM sync_writes").await,
        links_pending: db.count("SELECT count(*) FROM sync_links WHERE status = 'pending'").await,
        stripe_held: rig.double.held(),
    }
}

/// Waits until the backlog has been empty for `QUIET_FOR`, or `bound`
/// passed: (quiet, the last backlog seen, how long it took).
pub async fn settle(rig: &Rig, bound: Duration) -> (bool, Backlog, Duration) {
    let started = Instant::now();
    let mut quiet_since: Option<Instant> = None;
    let mut last_shown = Instant::now();
    loop {
        let now = backlog(rig).await;
        if now.is_empty() {
            let since = *quiet_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= QUIET_FOR {
                return (true, now, started.elapsed());
            }
        } else {
            quiet_since = None;
        }
        if started.elapsed() > bound {
            return (false, now, started.elapsed());
        }
        if last_shown.elapsed() > Duration::from_secs(10) {
            eprintln!("  settling, {:.0} s: {now:?}", started.elapsed().as_secs_f64());
            last_shown = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
