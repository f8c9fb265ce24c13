//! 9. Invoices: the API's create of a draft with two lines, next to the
//!    same transaction straight into PostgreSQL; and the outward lag from
//!    the 201 until Stripe (the instant double) holds the draft with both
//!    lines, next to a customer's in the same run (section 2).

use std::time::Duration;

use diesel_async::AsyncConnection;
use shared_models::db::{changes, invoices};
use shared_models::domain::invoice::{CollectionMethod, LineDraft, Lines, Metadata};
use shared_models::sync::{EntityRef, Operation, INVOICE};

use crate::client::{Made, MadeInvoice};
use crate::drive::{closed, paced, until};
use crate::report::{step, Report};
use crate::stats::{ms, rate, Latency, Load};
use crate::suite::Bench;

/// In flight for the throughput, as section 1's middle row.
const CONCURRENCY: usize = 16;

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading("9. Invoices: POST /invoices (2 lines); limit: the same transaction in PostgreSQL; lag to a draft with its lines");
    let sizes = bench.sizes;
    bench.start_workers(1, None, &[]).await?;
    // Customers to bill, in Stripe before their invoices are made.
    let mut customers: Vec<Made> = Vec::new();
    for _ in 0..sizes.invoice_customers {
        customers.push(bench.api.create().await.map_err(anyhow::Error::msg)?);
    }
    let double = &bench.double;
    until(Duration::from_secs(60), Duration::from_millis(20), || async { crate::client::missing_from(double, &customers) == 0 }).await;

    let bar = step(&format!("{} invoices at {}/s", sizes.invoice_lag, sizes.invoice_rate), sizes.invoice_lag);
    let api = bench.api.clone();
    let (api, billed) = (&api, &customers);
    let made: Vec<MadeInvoice> = paced(sizes.invoice_rate, sizes.invoice_lag, &bar, |i| {
        let (api, customer) = (api.clone(), billed[i % billed.len()].id.clone());
        async move { api.create_invoice(&customer).await }
    })
    .await
    .into_iter()
    .filter_map(Result::ok)
    .collect();
    bar.finish_and_clear();
    let held = |m: &MadeInvoice| double.invoice_lines_at(&m.id, 2);
    until(Duration::from_secs(60), Duration::from_millis(20), || async { made.iter().all(|m| held(m).is_some()) }).await;
    let lags: Vec<Duration> = made.iter().filter_map(|m| held(m).map(|at| at.saturating_duration_since(m.answered))).collect();
    let lost = sizes.invoice_lag - lags.len();
    let lag = Latency::of(&lags);
    bench.report.add(
        "invoices",
        format!("outward lag at {}/s, draft + 2 lines", rate(sizes.invoice_rate)),
        lag.describe(),
        serde_json::json!({"lag": lag, "lost": lost}),
    );
    bench.report.check(
        "Invoice outward lag, instant double (4 calls each): p50 < 50 ms, p99 < 250 ms, none lost",
        format!("p50 {} ms, p99 {} ms, {lost} lost", ms(lag.p50_ms), ms(lag.p99_ms)),
        lag.p50_ms < 50.0 && lag.p99_ms < 250.0 && lost == 0,
    );
    bench.stop_workers().await;

    // Throughput with no worker running: the API's own cost.
    let total = sizes.invoice_creates;
    let bar = step(&format!("POST /invoices x{total}, {CONCURRENCY} in flight"), total);
    let load = closed(total, CONCURRENCY, &bar, |i| {
        let (api, customer) = (api.clone(), billed[i % billed.len()].id.clone());
        async move { api.create_invoice(&customer).await.map(drop) }
    })
    .await;
    bar.finish_and_clear();
    bench.report.add("invoices", format!("POST /invoices, {CONCURRENCY} in flight"), load.describe(), load);
    let raw = raw_inserts(bench, total).await?;
    bench.report.add("invoices", format!("limit: PostgreSQL alone, {CONCURRENCY} in flight"), raw.describe(), raw);
    let share = load.per_second / raw.per_second;
    bench.report.check(
        "API invoice create throughput at 16 in flight >= 50% of raw PostgreSQL",
        format!("{} of {} /s = {:.0}%", rate(load.per_second), rate(raw.per_second), share * 100.0),
        share >= 0.5,
    );
    // Nobody syncs these.
    bench.wait_published().await?;
    let queue = bench.stack.topology().work_queue("stripe", INVOICE);
    testkit::purge_queue(&bench.stack.broker.url, &queue).await;
    Ok(())
}

/// What the API's create does in PostgreSQL (the customer read for share,
/// the invoice row, outbox message and pending link, one transaction), with
/// no HTTP, JSON or pool in between; on a database of its own, with
/// customers of its own.
async fn raw_inserts(bench: &Bench, total: usize) -> anyhow::Result<Load> {
    let scratch = testkit::TestDb::create().await;
    let pool = shared_models::db::build_pool(&scratch.url, u32::try_from(CONCURRENCY.min(crate::stack::POOL_SIZE))?)?;
    let mut customers = Vec::new();
    {
        let mut conn = pool.get().await?;
        for i in 0..bench.sizes.invoice_customers {
            let name = shared_models::domain::CustomerName::parse(&format!("Raw Customer {i}"))?;
            let email = shared_models::domain::Email::parse(&format!("raw{i}.{}@example.com", uuid::Uuid::new_v4().simple()))?;
            let id = shared_models::domain::CustomerId::generate();
            customers.push(shared_models::db::customers::insert(&mut conn, id, &name, &email).await?.id);
        }
    }
    let drafts = || {
        let line = |d: &str, q: i64, a: i64| LineDraft { id: None, description: Some(d.into()), quantity: Some(q), unit_amount: Some(a) };
        vec![line("Consulting", 3, 12000), line("Travel", 1, 4550)]
    };
    let (integrations, metadata) = (vec!["stripe".to_owned()], Metadata::default());
    let bar = step(&format!("PostgreSQL alone x{total}, {CONCURRENCY} in flight"), total);
    let (pool, customers, integrations, metadata) = (&pool, &customers, &integrations, &metadata);
    let load = closed(total, CONCURRENCY, &bar, |i| async move {
        let lines = Lines::parse(drafts(), &Lines::default()).map_err(|e| e.to_string())?;
        let customer = customers[i % customers.len()];
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            shared_models::db::customers::find_live_for_share(conn, customer).await?;
            let new = invoices::NewInvoice {
                id: uuid::Uuid::now_v7(),
                customer_id: customer,
                currency: "usd",
                description: Some("Bench invoice"),
                collection_method: CollectionMethod::ChargeAutomatically,
                days_until_due: None,
                lines: &lines,
                metadata,
            };
            let invoice = invoices::insert(conn, &new).await?;
            changes::record(conn, integrations, &EntityRef::invoice(invoice.id), Operation::Created, invoice.version).await?;
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())
    })
    .await;
    bar.finish_and_clear();
    scratch.cleanup().await;
    Ok(load)
}
