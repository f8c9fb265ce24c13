//! 8. Salesforce: the customer ↔ Contact pair, on a stack of its own with
//!    Stripe and Salesforce both in force and the Salesforce double served
//!    over HTTP in this process.
//!    - Outward lag: API 201 -> the Contact's upsert answered, next to the
//!      Stripe pair's lag for the same changes (the instant Stripe double).
//!    - Inward lag: a person's edit in Salesforce -> visible through the
//!      API. Salesforce sends no events, so the poll interval bounds it: the
//!      figure that is ours is the time past the poll that read the edit.
//!    - API calls spent per synced change and per poll, against the quota.

mod calls;
mod lags;

use std::time::Duration;

use anyhow::Context;
use testkit::SalesforceDouble;

use crate::client::Api;
use crate::report::Report;
use crate::stack::{Service, Stack};
use crate::stats::ms;
use crate::suite::Bench;

/// The bench polls at the shortest interval the setting allows, to take
/// many samples in little time; our overhead does not depend on it.
pub const POLL_MS: u64 = 1_000;
/// The outward rate, as section 2's steady run.
const OUTWARD_PER_SECOND: f64 = 20.0;

/// The section's own stack, apart from the one the other sections share.
pub struct Rig {
    pub stack: Stack,
    pub double: SalesforceDouble,
    pub api: Api,
    services: Vec<Service>,
}

impl Rig {
    async fn start(bench: &Bench) -> anyhow::Result<Self> {
        let double = SalesforceDouble::start().await.context("starting the Salesforce double")?;
        let stack = Stack::new(bench.stack.bin_dir(), &bench.double.url).await?.with_salesforce(double.url(), POLL_MS);
        let mut services = Vec::new();
        for name in ["api-service", "webhook-service", "sync-worker"] {
            let log = format!("salesforce-{name}");
            services.push(stack.start_as(name, &log, &[]).await?);
        }
        let api = Api::new(services[0].url());
        Ok(Self { stack, double, api, services })
    }

    async fn stop(self) {
        for service in self.services {
            service.stop().await;
        }
        self.double.stop().await;
        self.stack.cleanup().await;
    }
}

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading(&format!(
        "8. Salesforce (the double over HTTP, Stripe in force too): outward lag, inward lag past a {POLL_MS} ms poll, API calls per change; limit: the Stripe pair in the same run"
    ));
    let rig = Rig::start(bench).await?;
    let outcome = measure(bench, &rig).await;
    rig.stop().await;
    outcome
}

async fn measure(bench: &mut Bench, rig: &Rig) -> anyhow::Result<()> {
    let sizes = bench.sizes;
    let window = calls::Window::open(&rig.double);
    let outward = lags::outward(rig, &bench.double, OUTWARD_PER_SECOND, sizes.salesforce_outward).await;
    let spent = window.close(&rig.double);
    bench.report.add("salesforce", "outward: API 201 -> Contact upserted", outward.salesforce.describe(), &outward.salesforce);
    bench.report.add("salesforce", "limit: Stripe, same changes, 201 -> held", outward.stripe.describe(), &outward.stripe);
    bench.report.check(
        "Salesforce outward lag, double, 20/s: p99 < 100 ms, none lost",
        format!(
            "p50 {} ms, p99 {} ms, {} lost",
            ms(outward.salesforce.lag.p50_ms),
            ms(outward.salesforce.lag.p99_ms),
            outward.salesforce.lost
        ),
        outward.salesforce.lag.p99_ms < 100.0 && outward.salesforce.lost == 0 && outward.salesforce.errors == 0,
    );
    let per_change = calls::PerChange::of(&spent, outward.made.len());
    bench.report.add("salesforce", "API calls per change out (creates)", per_change.describe(), per_change);

    let idle = calls::idle_polling(&rig.double, Duration::from_secs_f64(sizes.salesforce_idle_seconds)).await;
    bench.report.add("salesforce", format!("API calls per poll, idle, every {POLL_MS} ms"), idle.describe(), idle);

    let window = calls::Window::open(&rig.double);
    let inward = lags::inward(rig, &outward.made, sizes.salesforce_inward).await?;
    let spent = window.close(&rig.double);
    bench.report.add("salesforce", "inward: edit in Salesforce -> visible in API", inward.lag.describe(), inward);
    bench.report.add("salesforce", "of which ours: after the poll that read it", inward.overhead.describe(), inward);
    let echo = calls::PerChange::of(&spent, inward.edits);
    bench.report.add("salesforce", "API calls per change in, beyond polling", echo.describe(), echo);
    bench.report.check(
        "Salesforce inward: our time past the poll p99 < 100 ms, none lost",
        format!("p50 {} ms, p99 {} ms, {} lost", ms(inward.overhead.p50_ms), ms(inward.overhead.p99_ms), inward.lost),
        inward.overhead.p99_ms < 100.0 && inward.lost == 0,
    );

    let quota = calls::Quota::of(per_change.calls_per_change, idle.calls_per_poll);
    bench.report.add("salesforce", "quota: an org of 100,000 calls a day", quota.describe(), quota);
    bench.report.check(
        "Salesforce API calls: <= 1 per change out, none written back in, <= 2 per poll",
        format!("{:.2} out, {} written back, {:.2} per poll", per_change.calls_per_change, echo.writes, idle.calls_per_poll),
        per_change.calls_per_change <= 1.0 && echo.writes == 0 && idle.calls_per_poll <= 2.0,
    );
    Ok(())
}
