//! 6. Growth: the hot-path figures with 1,000 customers in the catalog and
//!    again with 100,000, each customer with the history a live system keeps
//!    (its link, its published outbox message, a handled Stripe event).

use serde::Serialize;

use crate::api::{creates, reads};
use crate::inward::{self, Clock, InwardLag};
use crate::outward::{lag, LagRun};
use crate::report::Report;
use crate::stats::{ms, rate, Load};
use crate::suite::Bench;
use crate::workers::{throughput, Throughput};

/// The most any figure may get worse between the two catalog sizes.
const ALLOWED_WORSENING: f64 = 0.20;

/// The hot-path figures at one catalog size.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Probe {
    pub customers: i64,
    pub create: Load,
    pub read: Load,
    pub outward: LagRun,
    pub inward: InwardLag,
    pub ingest: Load,
    pub worker: Throughput,
}

/// Fills the catalog up to `total` customers, with their sync history.
pub async fn seed(bench: &Bench, total: i64) -> anyhow::Result<i64> {
    let have = bench.stack.db.count("SELECT count(*) FROM customers").await;
    if total > have {
        let bar = crate::report::step(&format!("seeding the catalog up to {total} customers"), 1);
        bench.stack.db.execute(&format!(
            "WITH new AS (
                INSERT INTO customers (id, name, email)
                SELECT gen_random_uuid(), 'Seeded Customer ' || g, 'seeded' || g || '@example.com'
                FROM generate_series({from}, {to}) g RETURNING id),
             links AS (
                INSERT INTO sync_links (integration, entity_type, entity_id, external_id, status, attempts, synced_version, synced_at, pushed_version)
                SELECT 'stripe', 'customer', id, 'cus_seeded' || replace(id::text, '-', ''), 'synced', 1, 1, now(), 1 FROM new RETURNING 1),
             sent AS (
                INSERT INTO outbox (message_id, entity_type, entity_id, operation, entity_version, payload, published_at)
                SELECT gen_random_uuid(), 'customer', id, 'created', 1, '{{}}'::jsonb, now() FROM new RETURNING 1)
             INSERT INTO inbound_events (integration, event_id, event_type, event_created, payload, source, status, attempts, processed_at)
             SELECT 'stripe', 'evt_seeded' || replace(id::text, '-', ''), 'customer.updated', extract(epoch FROM now())::bigint,
                    '{{}}'::jsonb, 'webhook', 'applied', 1, now() FROM new",
            from = have + 1,
            to = total
        ))
        .await;
        // What autovacuum and the checkpointer would soon do anyway, done
        // before the probe rather than in the middle of it: plans see the
        // grown tables, and the seed's writes are flushed.
        let mut conn = bench.stack.db.connect().await;
        for statement in ["VACUUM ANALYZE", "CHECKPOINT"] {
            if let Err(e) = diesel_async::RunQueryDsl::execute(diesel::sql_query(statement), &mut conn).await {
                crate::drive::progress_note(&format!("{statement} after seeding failed (figures may be noisier): {e}"));
            }
        }
        bar.finish_and_clear();
    }
    Ok(bench.stack.db.count("SELECT count(*) FROM customers").await)
}

/// The same hot-path measurements every time, in the same order.
pub async fn probe(bench: &mut Bench, clock: &Clock, customers: i64) -> anyhow::Result<Probe> {
    let sizes = bench.sizes;
    let count = sizes.steady_count;
    let (create, made) = creates(bench, 16, count * 5).await;
    let read = reads(bench, 16, count * 5, &made).await;
    bench.wait_published().await?;
    bench.purge_work_queue().await;
    bench.start_workers(1, None, &[]).await?;
    let outward = lag(&bench.api, &bench.double, sizes.steady_rate, count).await;
    bench.stop_workers().await;
    let synced = crate::client::held_by(&bench.double, &outward.made);
    bench.synced.extend(synced.iter().cloned());
    let links = inward::linked_among(bench, &synced).await?;
    let inward = inward::lag(bench, &links, clock, count * 2).await;
    let (ingest, _) = inward::ingest(bench, &links, clock, sizes.ingest_events / 2).await?;
    let worker = throughput(bench, 1).await?;
    Ok(Probe { customers, create, read, outward, inward, ingest, worker })
}

/// One line per figure: the two sizes side by side, and the budget line.
pub fn compare(report: &mut Report, small: &Probe, large: &Probe) {
    Report::heading(&format!("6. Growth: {} -> {} customers in the catalog", small.customers, large.customers));
    // (name, small, large, higher is better, unit)
    let lines: [(&str, f64, f64, bool, &str); 8] = [
        ("POST /customers, 16 in flight", small.create.per_second, large.create.per_second, true, "/s"),
        ("POST /customers p99", small.create.latency.p99_ms, large.create.latency.p99_ms, false, "ms"),
        ("GET /customers/{id}, 16 in flight", small.read.per_second, large.read.per_second, true, "/s"),
        ("outward lag p99 at 20/s", small.outward.lag.p99_ms, large.outward.lag.p99_ms, false, "ms"),
        ("inward lag p99", small.inward.lag.p99_ms, large.inward.lag.p99_ms, false, "ms"),
        ("webhook ingest", small.ingest.per_second, large.ingest.per_second, true, "/s"),
        ("worker throughput, 1 worker", small.worker.per_second, large.worker.per_second, true, "/s"),
        ("outward lag p50 at 20/s", small.outward.lag.p50_ms, large.outward.lag.p50_ms, false, "ms"),
    ];
    let mut worst: Option<(&str, f64)> = None;
    for (name, a, b, higher_is_better, unit) in lines {
        let worse_by = if higher_is_better { (a - b) / a } else { (b - a) / a };
        let show = |v: f64| if unit == "ms" { format!("{} ms", ms(v)) } else { format!("{} /s", rate(v)) };
        let text =
            format!("{} -> {} ({:+.0}% {})", show(a), show(b), worse_by.abs() * 100.0, if worse_by > 0.0 { "worse" } else { "better" });
        report.add("growth", name, text, serde_json::json!({"small": a, "large": b, "worse_by": worse_by}));
        if worst.is_none_or(|(_, w)| worse_by > w || worse_by.is_nan()) {
            worst = Some((name, worse_by));
        }
    }
    let (name, worse_by) = worst.unwrap_or(("-", f64::NAN));
    report.check(
        format!("No figure > 20% worse from {} to {} customers", small.customers, large.customers),
        format!("worst: {name}, {:+.0}%", worse_by * 100.0),
        worse_by <= ALLOWED_WORSENING,
    );
}
