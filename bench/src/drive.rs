//! Load shapes: a closed loop (N callers, each sending its next call when the
//! last one answered) and an open loop (calls started at a fixed rate,
//! whatever the answers do).

use std::future::Future;

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use indicatif::ProgressBar;

use crate::stats::{Latency, Load};

/// `total` calls of `call(i)` with `concurrency` in flight; the rate counts
/// successful calls over the wall time of the whole run.
pub async fn closed<F, Fut>(total: usize, concurrency: usize, progress: &ProgressBar, call: F) -> Load
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let started = Instant::now();
    let results: Vec<Result<Duration, String>> = stream::iter(0..total)
        .map(|i| {
            let call = &call;
            async move {
                let at = Instant::now();
                let result = call(i).await.map(|()| at.elapsed());
                progress.inc(1);
                result
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    summarize(&results, started.elapsed())
}

/// Starts `call(i)` `total` times at `per_second`, each on its own task, and
/// returns what each call returned, in call order.
pub async fn paced<T, F, Fut>(per_second: f64, total: usize, progress: &ProgressBar, call: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let period = Duration::from_secs_f64(1.0 / per_second);
    let mut ticks = tokio::time::interval(period);
    // A late tick is sent at once, so the rate holds on average.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        ticks.tick().await;
        tasks.push(tokio::spawn(call(i)));
        progress.inc(1);
    }
    let mut out = Vec::with_capacity(total);
    for task in tasks {
        if let Ok(value) = task.await {
            out.push(value);
        }
    }
    out
}

pub fn summarize(results: &[Result<Duration, String>], wall: Duration) -> Load {
    let ok: Vec<Duration> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let errors = results.len() - ok.len();
    if let Some(Err(first)) = results.iter().find(|r| r.is_err()) {
        progress_note(&format!("{errors} call(s) failed; the first: {first}"));
    }
    Load { per_second: ok.len() as f64 / wall.as_secs_f64(), latency: Latency::of(&ok), errors }
}

/// Polls `check` every `every` until it is true or `timeout` passes; says which.
pub async fn until<F, Fut>(timeout: Duration, every: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return true;
        }
        if started.elapsed() > timeout {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

/// A line above the progress bars (stderr), for what the table cannot say.
pub fn progress_note(message: &str) {
    eprintln!("  note: {message}");
}
