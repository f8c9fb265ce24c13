//! 2. Outward lag: from the API's 201 until Stripe holds the customer, at a
//!    steady rate and at the highest rate that holds; with the instant double
//!    and with localstripe; next to RabbitMQ's own round trip.

use std::time::Duration;

use serde::Serialize;

use crate::client::{Api, Made};
use crate::drive::paced;
use crate::report::{step, Report};
use crate::stats::{ms, rate, Latency};
use crate::suite::Bench;
use testkit::StripeDouble;

/// A rate holds while every change arrives and p99 stays under this: above
/// it, changes queue up faster than they drain.
const HOLDS_P99_MS: f64 = 100.0;

#[derive(Debug, Clone, Default, Serialize)]
pub struct LagRun {
    pub per_second: f64,
    pub lag: Latency,
    /// Changes Stripe did not hold within the wait.
    pub lost: usize,
    /// Creates the API refused or failed.
    pub errors: usize,
    #[serde(skip)]
    pub made: Vec<Made>,
}

impl LagRun {
    pub fn describe(&self) -> String {
        let mut text = format!("at {} /s: {}", rate(self.per_second), self.lag.describe());
        if self.lost + self.errors > 0 {
            text.push_str(&format!(" · {} lost, {} refused", self.lost, self.errors));
        }
        text
    }

    fn holds(&self) -> bool {
        self.lost == 0 && self.errors == 0 && self.lag.p99_ms < HOLDS_P99_MS
    }
}

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading("2. Outward lag: API 201 -> Stripe holds the customer; limit: RabbitMQ publish-confirm + consume-ack alone");
    bench.start_workers(1, None, &[]).await?;
    let sizes = bench.sizes;
    let steady = lag(&bench.api, &bench.double, sizes.steady_rate, sizes.steady_count).await;
    bench.report.add("outward", "instant Stripe double, steady", steady.describe(), &steady);
    bench.report.check(
        "Outward lag, instant double, 20/s: p50 < 10 ms, p99 < 50 ms",
        format!("p50 {} ms, p99 {} ms, {} lost", ms(steady.lag.p50_ms), ms(steady.lag.p99_ms), steady.lost),
        steady.lag.p50_ms < 10.0 && steady.lag.p99_ms < 50.0 && steady.lost == 0,
    );
    let held = crate::client::held_by(&bench.double, &steady.made);
    bench.synced.extend(held);

    let mut highest: Option<LagRun> = None;
    for &per_second in sizes.ramp {
        let count = (per_second * sizes.ramp_seconds).round() as usize;
        let run = lag(&bench.api, &bench.double, per_second, count).await;
        let holds = run.holds();
        bench.report.add(
            "outward",
            format!("instant double, ramp ({})", if holds { "holds" } else { "does not hold" }),
            run.describe(),
            &run,
        );
        if !holds {
            break;
        }
        highest = Some(run);
    }
    match &highest {
        Some(run) => bench.report.add("outward", "highest rate that holds (p99 < 100 ms)", run.describe(), run),
        None => bench.report.add("outward", "highest rate that holds (p99 < 100 ms)", "none of the ramp's rates", ()),
    }
    bench.stop_workers().await;

    let localstripe = testkit::LocalStripe::start().await;
    let forwarder = StripeDouble::start(Some(localstripe.url.clone()))?;
    bench.start_workers(1, Some(&forwarder.url), &[]).await?;
    let real = lag(&bench.api, &forwarder, sizes.steady_rate, sizes.localstripe_count).await;
    bench.report.add("outward", "localstripe, steady", real.describe(), &real);
    bench.stop_workers().await;
    forwarder.stop().await;

    let broker = crate::limits::rabbitmq_round_trip(&bench.stack.broker.url, sizes.round_trips).await?;
    bench.report.add("outward", "limit: RabbitMQ publish-confirm + consume-ack", broker.describe(), broker);
    Ok(())
}

/// Creates `count` customers at `per_second` and measures when `stripe` held each.
pub async fn lag(api: &Api, stripe: &StripeDouble, per_second: f64, count: usize) -> LagRun {
    let bar = step(&format!("{count} creates at {per_second}/s"), count);
    let results = paced(per_second, count, &bar, |_| {
        let api = api.clone();
        async move { api.create().await }
    })
    .await;
    bar.finish_and_clear();
    let errors = results.iter().filter(|r| r.is_err()).count();
    let made: Vec<Made> = results.into_iter().filter_map(Result::ok).collect();
    crate::drive::until(Duration::from_secs(30), Duration::from_millis(20), || async { crate::client::missing_from(stripe, &made) == 0 })
        .await;
    let lags: Vec<Duration> =
        made.iter().filter_map(|m| stripe.created_at(&m.id).map(|at| at.saturating_duration_since(m.answered))).collect();
    LagRun { per_second, lag: Latency::of(&lags), lost: crate::client::missing_from(stripe, &made), errors, made }
}
