//! 4. Workers: how many changes a second 1, 2 and 3 workers push to the
//!    instant double with the rate limit off; then the rate held under a
//!    25/s limit that Stripe (the double) enforces with real 429s.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::api::creates;
use crate::client::Made;
use crate::report::{step, Report};
use crate::stats::rate;
use crate::suite::Bench;

/// Stripe's limit in test mode.
const STRIPE_LIMIT: f64 = 25.0;

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Throughput {
    pub workers: usize,
    pub changes: usize,
    pub per_second: f64,
    pub lost: usize,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Limited {
    pub limit_per_second: f64,
    pub held_per_second: f64,
    pub throttled_429: u64,
    pub changes: usize,
    pub lost: usize,
}

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    Report::heading("4. Workers: changes pushed per second from a backlog, instant double, rate limit off; then a 25/s limit");
    for workers in 1..=3 {
        let run = throughput(bench, workers).await?;
        let text = format!("{} /s ({} changes{})", rate(run.per_second), run.changes, lost(run.lost));
        bench.report.add("workers", format!("{workers} worker(s), no rate limit"), text, run);
        if workers == 1 {
            bench.report.check(
                "Worker throughput, instant double, 1 worker >= 1,000 changes/s",
                format!("{} /s", rate(run.per_second)),
                run.per_second >= 1_000.0 && run.lost == 0,
            );
        }
    }
    let limited = limited(bench).await?;
    let text = format!(
        "held {} /s under a {} /s limit · {} x 429 · {} changes{}",
        rate(limited.held_per_second),
        limited.limit_per_second,
        limited.throttled_429,
        limited.changes,
        lost(limited.lost)
    );
    bench.report.add("workers", "3 workers, STRIPE_RATE_LIMIT_PER_SECOND=25", text, limited);
    let within = (limited.held_per_second - STRIPE_LIMIT).abs() / STRIPE_LIMIT <= 0.05;
    bench.report.check(
        "Rate limit 25/s held within 5%, zero 429s, zero lost",
        format!("{} /s, {} x 429, {} lost", rate(limited.held_per_second), limited.throttled_429, limited.lost),
        within && limited.throttled_429 == 0 && limited.lost == 0,
    );
    Ok(())
}

fn lost(count: usize) -> String {
    if count == 0 {
        String::new()
    } else {
        format!(", {count} LOST")
    }
}

/// A backlog made through the API while no worker runs, all published.
async fn backlog(bench: &Bench, count: usize) -> anyhow::Result<Vec<Made>> {
    let (_, made) = creates(bench, 16, count).await;
    bench.wait_published().await?;
    Ok(made)
}

/// Changes per second that `workers` workers push from a backlog, from
/// Stripe's first answer to its last (start-up is not counted).
pub async fn throughput(bench: &mut Bench, workers: usize) -> anyhow::Result<Throughput> {
    let made = backlog(bench, bench.sizes.backlog).await?;
    bench.start_workers(workers, None, &[]).await?;
    let bar = step(&format!("{workers} worker(s) draining {}", made.len()), made.len());
    let lost = wait_all(bench, &made, Duration::from_secs(120), &bar).await;
    bar.finish_and_clear();
    bench.stop_workers().await;
    let times: Vec<Instant> = made.iter().filter_map(|m| bench.double.created_at(&m.id)).collect();
    let per_second = match (times.iter().min(), times.iter().max()) {
        (Some(first), Some(last)) if last > first => (times.len() - 1) as f64 / last.duration_since(*first).as_secs_f64(),
        _ => f64::NAN,
    };
    Ok(Throughput { workers, changes: made.len(), per_second, lost })
}

/// Waits until the double holds all of `made`, showing progress; the count missing.
async fn wait_all(bench: &Bench, made: &[Made], timeout: Duration, bar: &indicatif::ProgressBar) -> usize {
    let started = Instant::now();
    loop {
        let missing = crate::client::missing_from(&bench.double, made);
        bar.set_position((made.len() - missing) as u64);
        if missing == 0 || started.elapsed() > timeout {
            return missing;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Three workers under the shared 25/s limit, against a double that
/// answers 429 past Stripe's own 25/s.
async fn limited(bench: &mut Bench) -> anyhow::Result<Limited> {
    let made = backlog(bench, bench.sizes.limited).await?;
    bench.double.limit(Some(STRIPE_LIMIT));
    bench.double.reset_counts();
    let setting = [("STRIPE_RATE_LIMIT_PER_SECOND", format!("{STRIPE_LIMIT}"))];
    bench.start_workers(3, None, &setting).await?;
    let bar = step(&format!("3 workers under 25/s, {} changes", made.len()), made.len());
    let timeout = Duration::from_secs_f64(made.len() as f64 / STRIPE_LIMIT * 2.0 + 30.0);
    let lost = wait_all(bench, &made, timeout, &bar).await;
    bar.finish_and_clear();
    bench.stop_workers().await;
    bench.double.limit(None);
    let answered = bench.double.answered();
    Ok(Limited {
        limit_per_second: STRIPE_LIMIT,
        held_per_second: held(&answered, STRIPE_LIMIT as usize),
        throttled_429: bench.double.throttled(),
        changes: made.len(),
        lost,
    })
}

/// The rate after the bucket's burst (the first `burst` calls, sent at
/// once when the bucket starts full): calls over the time they took.
fn held(answered: &[Instant], burst: usize) -> f64 {
    let mut sorted = answered.to_vec();
    sorted.sort();
    let steady = sorted.get(burst..).unwrap_or_default();
    match (steady.first(), steady.last()) {
        (Some(first), Some(last)) if last > first => (steady.len() - 1) as f64 / last.duration_since(*first).as_secs_f64(),
        _ => f64::NAN,
    }
}
