//! Quiescence: the sync has nothing left to do. The outbox is relayed, the
//! inbox has nothing pending, the work and retry queues of both
//! integrations are empty (invoices' too), no write is in doubt (`sync_writes`), no link is
//! `pending`, no delete is held by the mass-deletion guard or released and
//! not yet taken in, and Stripe holds no request on its way. Meanwhile the
//! soak releases what the guard holds (`held`). Only then are the three
//! sides compared.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::held::{self, INTEGRATIONS};
use super::rig::Rig;

/// Quiet for this long in a row: longer than the emulator's webhook delay
/// (1 s) plus a poll interval (1 s), so no event of Stripe is still coming.
const QUIET_FOR: Duration = Duration::from_secs(4);

/// What is left to do; -1: could not be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub outbox_unpublished: i64,
    pub inbox_pending: i64,
    pub work_queue: u32,
    pub retry_queues: u32,
    pub writes_in_doubt: i64,
    pub links_pending: i64,
    /// Deletes the mass-deletion guard holds.
    pub deletions_held: i64,
    /// Held deletes released, not yet read back and taken in.
    pub deletions_released: i64,
    pub stripe_held: u64,
}

impl Backlog {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The backlog's rows, in one query; `None` when PostgreSQL cannot answer
/// (a shared server out of connections): not quiet, ask again.
async fn rows(db_url: &str) -> Option<[i64; 6]> {
    #[derive(diesel::QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        outbox: i64,
        #[diesel(sql_type = BigInt)]
        inbox: i64,
        #[diesel(sql_type = BigInt)]
        writes: i64,
        #[diesel(sql_type = BigInt)]
        links: i64,
        #[diesel(sql_type = BigInt)]
        held: i64,
        #[diesel(sql_type = BigInt)]
        released: i64,
    }
    let mut conn = AsyncPgConnection::establish(db_url).await.ok()?;
    let counts: Counts = diesel::sql_query(
        "SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS outbox, \
         (SELECT count(*) FROM inbound_events WHERE status = 'pending') AS inbox, \
         (SELECT count(*) FROM sync_writes) AS writes, \
         (SELECT count(*) FROM sync_links WHERE status = 'pending') AS links, \
         (SELECT count(*) FROM outside_deletions WHERE state = 'held') AS held, \
         (SELECT count(*) FROM outside_deletions WHERE state = 'released') AS released",
    )
    .get_result(&mut conn)
    .await
    .ok()?;
    Some([counts.outbox, counts.inbox, counts.writes, counts.links, counts.held, counts.released])
}

pub async fn backlog(rig: &Rig) -> Backlog {
    let topology = rig.stack.topology();
    let amqp = &rig.stack.broker.url;
    let (mut work_queue, mut retry_queues) = (0, 0);
    let pairs = INTEGRATIONS.iter().map(|i| (*i, "customer")).chain([("stripe", "invoice")]);
    for (integration, entity) in pairs {
        work_queue += testkit::queue_depth(amqp, &topology.work_queue(integration, entity)).await;
        for tier in &topology.tiers {
            retry_queues += testkit::queue_depth(amqp, &topology.retry_queue(integration, entity, *tier)).await;
        }
    }
    let [outbox_unpublished, inbox_pending, writes_in_doubt, links_pending, deletions_held, deletions_released] =
        rows(&rig.stack.db.url).await.unwrap_or([-1; 6]);
    Backlog {
        outbox_unpublished,
        inbox_pending,
        work_queue,
        retry_queues,
        writes_in_doubt,
        links_pending,
        deletions_held,
        deletions_released,
        stripe_held: rig.double.held(),
    }
}

/// How the settling went.
pub struct Settled {
    pub quiet: bool,
    /// The last backlog seen.
    pub backlog: Backlog,
    pub took: Duration,
    /// Held deletes the soak released, per integration.
    pub released: BTreeMap<String, usize>,
}

/// Waits until the backlog has been empty for `QUIET_FOR`, or `bound`
/// passed, releasing whatever the guard holds on the way.
pub async fn settle(rig: &Rig, http: &reqwest::Client, bound: Duration) -> Settled {
    let started = Instant::now();
    let mut quiet_since: Option<Instant> = None;
    let mut last_shown = Instant::now();
    let mut released = BTreeMap::new();
    loop {
        let now = backlog(rig).await;
        if now.deletions_held > 0 {
            held::release_all(http, &rig.api_url(), &mut released).await;
        }
        if now.is_empty() {
            let since = *quiet_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= QUIET_FOR {
                return Settled { quiet: true, backlog: now, took: started.elapsed(), released };
            }
        } else {
            quiet_since = None;
        }
        if started.elapsed() > bound {
            return Settled { quiet: false, backlog: now, took: started.elapsed(), released };
        }
        if last_shown.elapsed() > Duration::from_secs(10) {
            eprintln!("  settling, {:.0} s: {now:?}", started.elapsed().as_secs_f64());
            last_shown = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
