//! 1. The API: create and read throughput and latency at three
//!    concurrencies, next to the same inserts straight into PostgreSQL.

use std::sync::Mutex;

use diesel_async::AsyncConnection;
use shared_models::db::{changes, customers};
use shared_models::domain::{CustomerId, CustomerName, Email};
use shared_models::sync::{EntityRef, Operation};

use crate::client::Made;
use crate::drive::closed;
use crate::report::{step, Report};
use crate::stats::{rate, Load};
use crate::suite::Bench;

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading("1. API: POST /customers and GET /customers/{id}; limit: the same transaction straight into PostgreSQL");
    let mut made = Vec::new();
    // A database of its own: the relay would otherwise publish the raw rows,
    // and the limit would pay for our own service's work.
    let scratch = testkit::TestDb::create().await;
    for (concurrency, total) in bench.sizes.creates {
        let (load, mut new) = creates(bench, concurrency, total).await;
        made.append(&mut new);
        bench.report.add("api", format!("POST /customers, {concurrency} in flight"), load.describe(), load);
        let raw = raw_inserts(&scratch.url, concurrency, total).await?;
        bench.report.add("api", format!("limit: PostgreSQL alone, {concurrency} in flight"), raw.describe(), raw);
        if concurrency == 16 {
            let share = load.per_second / raw.per_second;
            bench.report.check(
                "API create throughput at 16 in flight >= 50% of raw PostgreSQL",
                format!("{} of {} /s = {:.0}%", rate(load.per_second), rate(raw.per_second), share * 100.0),
                share >= 0.5,
            );
        }
    }
    scratch.cleanup().await;
    for (concurrency, total) in bench.sizes.creates {
        let load = reads(bench, concurrency, total, &made).await;
        bench.report.add("api", format!("GET /customers/{{id}}, {concurrency} in flight"), load.describe(), load);
    }
    // Nobody syncs these: the worker sections bring their own load.
    bench.wait_published().await?;
    bench.purge_work_queue().await;
    Ok(())
}

/// `total` creates through the API with `concurrency` in flight.
pub async fn creates(bench: &Bench, concurrency: usize, total: usize) -> (Load, Vec<Made>) {
    let bar = step(&format!("POST /customers x{total}, {concurrency} in flight"), total);
    let made = Mutex::new(Vec::with_capacity(total));
    let (api, sink) = (&bench.api, &made);
    let load = closed(total, concurrency, &bar, |_| async move {
        let customer = api.create().await?;
        sink.lock().map_err(|e| e.to_string())?.push(customer);
        Ok(())
    })
    .await;
    bar.finish_and_clear();
    (load, made.into_inner().unwrap_or_default())
}

/// `total` reads of the customers in `made`, round robin.
pub async fn reads(bench: &Bench, concurrency: usize, total: usize, made: &[Made]) -> Load {
    let bar = step(&format!("GET /customers/{{id}} x{total}, {concurrency} in flight"), total);
    let api = &bench.api;
    let load = closed(total, concurrency, &bar, |i| async move {
        let customer = made.get(i % made.len().max(1)).ok_or("nothing to read")?;
        api.get(&customer.id).await.map(drop)
    })
    .await;
    bar.finish_and_clear();
    load
}

/// What the API's create does in PostgreSQL (customer row, outbox message,
/// pending link, one transaction), with no HTTP, JSON or pool in between.
async fn raw_inserts(database_url: &str, concurrency: usize, total: usize) -> anyhow::Result<Load> {
    // As many connections as the API's pool: the same concurrency on the same footing.
    let pool = shared_models::db::build_pool(database_url, u32::try_from(concurrency.min(crate::stack::POOL_SIZE))?)?;
    let integrations = vec!["stripe".to_owned()];
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let bar = step(&format!("PostgreSQL alone x{total}, {concurrency} in flight"), total);
    let (pool, integrations, tag) = (&pool, &integrations, &tag);
    let load = closed(total, concurrency, &bar, |i| async move {
        let name = CustomerName::parse(&format!("Raw Customer {i}")).map_err(|e| e.to_string())?;
        let email = Email::parse(&format!("raw{i}.{tag}@example.com")).map_err(|e| e.to_string())?;
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        conn.transaction::<_, diesel::result::Error, _>(async |conn| {
            let customer = customers::insert(conn, CustomerId::generate(), &name, &email).await?;
            changes::record(conn, integrations, &EntityRef::customer(customer.id), Operation::Created, customer.version).await?;
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())
    })
    .await;
    bar.finish_and_clear();
    Ok(load)
}
