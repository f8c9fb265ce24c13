//! 7. API writes while Stripe hangs: the same edits of synced customers,
//!    first while Stripe answers at once, then while every write to Stripe
//!    is held for longer than the worker waits (STRIPE_TIMEOUT_MS). The
//!    worker's calls then all end in timeouts, but no lock the API needs
//!    is held across them, so the API's latency should not move.

use std::time::Duration;

use testkit::{Calls, Fault};

use crate::api::creates;
use crate::client::Made;
use crate::drive::{closed, until};
use crate::report::{step, Report};
use crate::stats::Load;
use crate::suite::Bench;

/// How long the worker waits for Stripe in this section.
const STRIPE_TIMEOUT_MS: u64 = 2_000;
/// How long Stripe holds each write: past the worker's patience.
const HANG: Duration = Duration::from_millis(STRIPE_TIMEOUT_MS + 1_000);
const IN_FLIGHT: usize = 16;

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading(&format!(
        "7. Stripe hangs: PATCH /customers/{{id}} of synced customers, {IN_FLIGHT} in flight, while Stripe answers and while it holds every write {} s",
        HANG.as_secs_f64()
    ));
    let (_, made) = creates(bench, IN_FLIGHT, bench.sizes.hang_customers).await;
    bench.start_workers(1, None, &[("STRIPE_TIMEOUT_MS", STRIPE_TIMEOUT_MS.to_string())]).await?;
    anyhow::ensure!(wait_synced(bench, &made).await, "the customers of section 7 did not sync within 120 s");

    let calm = edits(bench, &made, "Stripe answers").await;
    bench.report.add("hang", "PATCH, Stripe answers at once", calm.describe(), calm);
    anyhow::ensure!(wait_synced(bench, &made).await, "the edits of section 7 did not sync within 120 s");

    bench.double.fault(Calls::writes("/v1/customers"), Fault::Hold(Some(HANG)), None);
    let hung = edits(bench, &made, "Stripe hangs").await;
    bench.double.clear_faults();
    bench.report.add("hang", format!("PATCH, every Stripe write held {} s", HANG.as_secs_f64()), hung.describe(), hung);
    let limit_ms = STRIPE_TIMEOUT_MS as f64 / 10.0;
    bench.report.check(
        format!("API write p99 while Stripe hangs < {limit_ms:.0} ms (a tenth of STRIPE_TIMEOUT_MS: it does not wait on Stripe)"),
        format!("p99 {:.1} ms (Stripe answering: {:.1} ms), {} errors", hung.latency.p99_ms, calm.latency.p99_ms, hung.errors),
        hung.latency.p99_ms < limit_ms && hung.errors == 0,
    );
    // The held writes land in their own time; what is left is for nobody.
    bench.stop_workers().await;
    bench.purge_work_queue().await;
    Ok(())
}

/// `hang_edits` renames of the customers in `made`, round robin.
async fn edits(bench: &Bench, made: &[Made], what: &str) -> Load {
    let total = bench.sizes.hang_edits;
    let bar = step(&format!("PATCH /customers/{{id}} x{total}, {IN_FLIGHT} in flight, {what}"), total);
    let api = &bench.api;
    let tag = what.split_whitespace().last().unwrap_or("edit").to_owned();
    let tag = &tag;
    let load = closed(total, IN_FLIGHT, &bar, |i| async move {
        let customer = made.get(i % made.len().max(1)).ok_or("nothing to edit")?;
        api.rename(&customer.id, &format!("Edited {tag} {i}")).await
    })
    .await;
    bar.finish_and_clear();
    load
}

/// Waits until Stripe holds the latest version of every customer in `made`.
async fn wait_synced(bench: &Bench, made: &[Made]) -> bool {
    let ids: Vec<String> = made.iter().map(|m| format!("'{}'", m.id)).collect();
    let lagging = format!(
        "SELECT count(*) FROM customers c JOIN sync_links l ON l.entity_id = c.id \
         WHERE c.id IN ({}) AND l.synced_version < c.version",
        ids.join(",")
    );
    let db = &bench.stack.db;
    until(Duration::from_secs(120), Duration::from_millis(50), || async { db.count(&lagging).await == 0 }).await
}
