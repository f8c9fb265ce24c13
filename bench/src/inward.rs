//! 3. Inward: from a signed webhook delivery until the change shows through
//!    the API; sustained ingest with duplicates mixed in; next to the raw
//!    HMAC check and the raw inbox insert.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use serde_json::{json, Value};
use stripe_integration::event::StripeEvent;
use stripe_integration::signature::sign;
use sync_core::inward::Envelope;

use crate::client::Made;
use crate::drive::{closed, until};
use crate::report::{step, Report};
use crate::stack::WEBHOOK_SECRET;
use crate::stats::{rate, Latency, Load};
use crate::suite::Bench;

/// Webhook deliveries in flight while measuring ingest (Stripe sends many at once).
const INGEST_CONCURRENCY: usize = 32;
/// One delivery in ten is a duplicate of an earlier one.
const DUPLICATE_EVERY: usize = 10;

/// A local customer linked to a Stripe customer.
#[derive(Clone)]
pub struct Linked {
    pub made: Made,
    pub stripe_id: String,
}

/// Event `created` values, strictly increasing: two events of one customer
/// in the same second would make the service read Stripe's current state
/// (correct, but another figure).
pub struct Clock(AtomicI64);

impl Clock {
    pub fn new() -> Self {
        Self(AtomicI64::new(chrono::Utc::now().timestamp()))
    }

    fn next(&self) -> i64 {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct InwardLag {
    pub lag: Latency,
    /// Changes not visible within 5 s.
    pub lost: usize,
}

pub async fn run(bench: &mut Bench, clock: &Clock) -> anyhow::Result<()> {
    Report::heading("3. Inward: signed webhook -> visible through GET /customers/{id}; limits: HMAC check, inbox insert alone");
    let links = linked_among(bench, &bench.synced).await?;
    let inward = lag(bench, &links, clock, bench.sizes.inward_samples).await;
    bench.report.add("inward", "webhook -> visible through the API", inward.lag.describe(), inward);
    bench.report.check(
        "Inward lag p99 < 20 ms",
        format!("p99 {} ms, {} lost", crate::stats::ms(inward.lag.p99_ms), inward.lost),
        inward.lag.p99_ms < 20.0 && inward.lost == 0,
    );
    let (ingest, applied) = ingest(bench, &links, clock, bench.sizes.ingest_events).await?;
    bench.report.add("inward", format!("webhook ingest, {INGEST_CONCURRENCY} in flight, 10% duplicates"), ingest.describe(), ingest);
    bench.report.add("inward", "inbox applied (one processor)", format!("{} /s", rate(applied)), applied);
    bench.report.check("Webhook ingest >= 2,000 events/s", format!("{} /s", rate(ingest.per_second)), ingest.per_second >= 2_000.0);

    let body = event(&links[0], "Sample Name", clock.next()).to_string();
    let hmac = crate::limits::hmac_verify_rate(body.as_bytes(), WEBHOOK_SECRET, Duration::from_secs_f64(bench.sizes.cpu_seconds));
    bench.report.add("inward", "limit: HMAC-SHA256 check, one core", format!("{} /s", rate(hmac)), hmac);
    let upsert = raw_inbox_inserts(bench, &links, clock).await?;
    bench.report.add("inward", format!("limit: inbox insert alone, {INGEST_CONCURRENCY} in flight"), upsert.describe(), upsert);
    Ok(())
}

/// Those of `made` synced through the instant double, with their Stripe ids.
pub async fn linked_among(bench: &Bench, made: &[Made]) -> anyhow::Result<Vec<Linked>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Text)]
        external_id: String,
    }
    let mut conn = bench.stack.db.connect().await;
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT entity_id::text AS id, external_id FROM sync_links WHERE status = 'synced' AND external_id LIKE 'cus_bench%'",
    )
    .load(&mut conn)
    .await?;
    let by_id: std::collections::HashMap<String, String> = rows.into_iter().map(|r| (r.id, r.external_id)).collect();
    let links: Vec<Linked> =
        made.iter().filter_map(|m| by_id.get(&m.id).map(|s| Linked { made: m.clone(), stripe_id: s.clone() })).collect();
    anyhow::ensure!(!links.is_empty(), "no customer was synced through the instant double: nothing to send events for");
    Ok(links)
}

/// A `customer.updated` event as Stripe sends it: renamed in Stripe, on top
/// of our last write (whose version the metadata carries).
pub fn event(link: &Linked, name: &str, created: i64) -> Value {
    json!({
        "id": format!("evt_bench{}", uuid::Uuid::new_v4().simple()), "object": "event", "api_version": "2017-08-15",
        "created": created, "livemode": false, "type": "customer.updated",
        "data": {"object": {"id": link.stripe_id, "object": "customer", "name": name, "email": link.made.email,
            "metadata": {"catalog_sync_id": link.made.id, "catalog_sync_version": "1"}, "created": 1_700_000_000}},
    })
}

/// Signs and POSTs `body`; Ok when webhook-service took it.
async fn deliver(http: &reqwest::Client, hooks: &str, body: &str, signature: &str) -> Result<(), String> {
    let response = http
        .post(format!("{hooks}/webhooks/stripe"))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match response.status().as_u16() {
        200 => Ok(()),
        status => Err(format!("webhook answered {status}: {}", response.text().await.unwrap_or_default())),
    }
}

/// One rename at a time: delivered, then read back until it shows.
pub async fn lag(bench: &Bench, links: &[Linked], clock: &Clock, samples: usize) -> InwardLag {
    let hooks = bench.webhook_service.url();
    let bar = step(&format!("{samples} webhook deliveries, read back"), samples);
    let (mut lags, mut lost) = (Vec::with_capacity(samples), 0);
    // A customer renamed again is a new change: each event is newer.
    for (i, link) in links.iter().cycle().take(samples).enumerate() {
        let name = format!("Renamed In Stripe {i} {}", clock.next());
        let body = event(link, &name, clock.next()).to_string();
        let signature = sign(WEBHOOK_SECRET, chrono::Utc::now().timestamp(), body.as_bytes());
        let at = Instant::now();
        let visible = match deliver(&bench.api.http, &hooks, &body, &signature).await {
            Ok(()) => {
                until(Duration::from_secs(5), Duration::from_millis(1), || async {
                    bench.api.get(&link.made.id).await.is_ok_and(|c| c["name"] == name.as_str())
                })
                .await
            }
            Err(_) => false,
        };
        match visible {
            true => lags.push(at.elapsed()),
            false => lost += 1,
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    InwardLag { lag: Latency::of(&lags), lost }
}

/// `total` deliveries with `INGEST_CONCURRENCY` in flight, one in ten a
/// redelivery; returns the ingest and the rate the inbox was applied at.
pub async fn ingest(bench: &Bench, links: &[Linked], clock: &Clock, total: usize) -> anyhow::Result<(Load, f64)> {
    let now = chrono::Utc::now().timestamp();
    let deliveries: Vec<(String, String)> = (0..total)
        .map(|i| {
            let body = event(&links[i % links.len()], &format!("Ingested {i}"), clock.next()).to_string();
            let signature = sign(WEBHOOK_SECRET, now, body.as_bytes());
            (body, signature)
        })
        .collect();
    let distinct = total - total / DUPLICATE_EVERY;
    let hooks = bench.webhook_service.url();
    let bar = step(&format!("{total} webhook deliveries, {INGEST_CONCURRENCY} in flight"), total);
    let started = Instant::now();
    let (http, hooks, deliveries) = (&bench.api.http, &hooks, &deliveries);
    let load = closed(total, INGEST_CONCURRENCY, &bar, |i| async move {
        // Every tenth sends again one that went out a few calls before.
        let (body, signature) = if i % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 { &deliveries[i - 5] } else { &deliveries[i] };
        deliver(http, hooks, body, signature).await
    })
    .await;
    bar.finish_and_clear();
    let drained = drained(bench).await;
    let applied = if drained { distinct as f64 / started.elapsed().as_secs_f64() } else { f64::NAN };
    Ok((load, applied))
}

/// Waits (up to 3 min) until webhook-service's inbox has nothing pending.
async fn drained(bench: &Bench) -> bool {
    let ready = format!("{}/ready", bench.webhook_service.url());
    let http = &bench.api.http;
    until(Duration::from_secs(180), Duration::from_millis(50), || async {
        let body: Option<Value> = match http.get(&ready).send().await {
            Ok(r) => r.json().await.ok(),
            Err(_) => None,
        };
        body.is_some_and(|b| b["inbox_pending"] == 0)
    })
    .await
}

/// What the webhook does in PostgreSQL, alone: the inbox insert, into a
/// database no processor reads.
async fn raw_inbox_inserts(bench: &Bench, links: &[Linked], clock: &Clock) -> anyhow::Result<Load> {
    let scratch = testkit::TestDb::create().await;
    let pool = shared_models::db::build_pool(&scratch.url, INGEST_CONCURRENCY as u32)?;
    let total = bench.sizes.ingest_events;
    let events: Vec<(StripeEvent, Value)> = (0..total)
        .map(|i| StripeEvent::parse(event(&links[i % links.len()], "Raw", clock.next()).to_string().as_bytes()))
        .collect::<Result<_, _>>()?;
    let bar = step(&format!("inbox inserts alone x{total}"), total);
    let (pool, events) = (&pool, &events);
    let load = closed(total, INGEST_CONCURRENCY, &bar, |i| async move {
        let (event, value) = &events[i];
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let envelope = Envelope { id: event.id.clone(), kind: event.event_type.clone(), created: event.created };
        sync_core::inward::store(&mut conn, "stripe", &envelope, value, "webhook").await.map(drop).map_err(|e| e.to_string())
    })
    .await;
    bar.finish_and_clear();
    scratch.cleanup().await;
    Ok(load)
}
