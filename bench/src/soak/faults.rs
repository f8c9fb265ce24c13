//! One fault at a time, drawn from the seed: kill -9 of a service and its
//! restart, RabbitMQ or PostgreSQL cut off for a few seconds, a Stripe
//! storm, or one of Salesforce's (`sf_faults`). Between faults, Stripe and
//! Salesforce still play up now and then: the chaos of the Stripe double
//! stays on at a low rate, and Salesforce fails a REST call now and then.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use testkit::Chaos;

use super::rig::{Rig, Role, WORKERS};
use super::sf_faults::{self, SalesforceFaults};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    KillApi,
    KillWebhook,
    KillWorker,
    CutRabbitmq,
    CutPostgres,
    StripeStorm,
    SalesforceTokensExpired,
    SalesforceAppRevoked,
    SalesforceDuplicateRule,
    SalesforcePurge,
    SalesforceMerge,
    SalesforceClockAhead,
}

const KINDS: [FaultKind; 12] = [
    FaultKind::KillApi,
    FaultKind::KillWebhook,
    FaultKind::KillWorker,
    FaultKind::CutRabbitmq,
    FaultKind::CutPostgres,
    FaultKind::StripeStorm,
    FaultKind::SalesforceTokensExpired,
    FaultKind::SalesforceAppRevoked,
    FaultKind::SalesforceDuplicateRule,
    FaultKind::SalesforcePurge,
    FaultKind::SalesforceMerge,
    FaultKind::SalesforceClockAhead,
];

/// One fault played: when (seconds into the run), what, for how long.
#[derive(Debug, Clone, Serialize)]
pub struct Played {
    pub at_s: f64,
    pub kind: FaultKind,
    pub what: String,
    pub seconds: f64,
}

/// Stripe between faults: now and then a held, lost, slow or failed write.
pub fn calm(seed: u64) -> Chaos {
    Chaos {
        seed,
        hold: 0.02,
        lose_answer: 0.02,
        slow: 0.03,
        fail: 0.03,
        hold_for: Duration::from_secs(3),
        slow_for: Duration::from_millis(800),
    }
}

/// A Stripe storm: half the writes go wrong, and slow answers come after
/// the worker gave up on them.
fn storm(seed: u64) -> Chaos {
    Chaos {
        seed,
        hold: 0.15,
        lose_answer: 0.10,
        slow: 0.10,
        fail: 0.25,
        hold_for: Duration::from_secs(5),
        slow_for: Duration::from_millis(2_500),
    }
}

pub fn seconds(rng: &mut StdRng, range: std::ops::Range<f64>) -> Duration {
    Duration::from_secs_f64(rng.random_range(range))
}

/// Plays faults until `until`, with Salesforce's failed calls alongside;
/// each fault is over (restarted, restored, calm again) when this returns.
/// Also says how many Salesforce calls were failed on purpose.
pub async fn run(
    rig: &Rig,
    salesforce: &SalesforceFaults,
    seed: u64,
    started: Instant,
    until: Instant,
) -> (anyhow::Result<Vec<Played>>, u32) {
    tokio::join!(schedule(rig, salesforce, seed, started, until), sf_faults::calm(rig, seed.rotate_left(17), until))
}

async fn schedule(rig: &Rig, salesforce: &SalesforceFaults, seed: u64, started: Instant, until: Instant) -> anyhow::Result<Vec<Played>> {
    let mut rng = StdRng::seed_from_u64(seed);
    rig.double.chaos(Some(calm(rng.random())));
    let mut played = Vec::new();
    // Rounds of every kind in a shuffled order: a short run still plays each.
    let mut bag: Vec<FaultKind> = Vec::new();
    loop {
        let gap = seconds(&mut rng, 8.0..20.0);
        tokio::time::sleep(gap.min(until.saturating_duration_since(Instant::now()))).await;
        let left = until.saturating_duration_since(Instant::now());
        if left < Duration::from_secs(2) {
            return Ok(played);
        }
        if bag.is_empty() {
            bag = KINDS.to_vec();
            bag.shuffle(&mut rng);
        }
        let kind = bag.pop().unwrap_or(FaultKind::StripeStorm);
        let at = Instant::now();
        let what = play(rig, salesforce, &mut rng, kind, left).await?;
        let fault = Played { at_s: at.duration_since(started).as_secs_f64(), kind, what, seconds: at.elapsed().as_secs_f64() };
        eprintln!("  fault at {:6.1}s: {:?} {} ({:.1} s)", fault.at_s, fault.kind, fault.what, fault.seconds);
        played.push(fault);
    }
}

/// Plays one fault for at most `left`, and ends it.
async fn play(rig: &Rig, salesforce: &SalesforceFaults, rng: &mut StdRng, kind: FaultKind, left: Duration) -> anyhow::Result<String> {
    let (role, what) = match kind {
        FaultKind::KillApi => (Some(Role::Api), "api-service".to_owned()),
        FaultKind::KillWebhook => (Some(Role::Webhook), "webhook-service".to_owned()),
        FaultKind::KillWorker => {
            let n = rng.random_range(0..WORKERS);
            (Some(Role::Worker(n)), format!("sync-worker-{}", n + 1))
        }
        _ => (None, String::new()),
    };
    if let Some(role) = role {
        rig.kill(role).await;
        tokio::time::sleep(seconds(rng, 1.0..5.0).min(left)).await;
        rig.restart(role).await?;
        return Ok(what);
    }
    match kind {
        FaultKind::CutRabbitmq | FaultKind::CutPostgres => {
            let (proxy, name) = if kind == FaultKind::CutRabbitmq { (&rig.amqp, "RabbitMQ") } else { (&rig.pg, "PostgreSQL") };
            proxy.cut();
            tokio::time::sleep(seconds(rng, 3.0..8.0).min(left)).await;
            proxy.restore();
            Ok(format!("{name} cut"))
        }
        FaultKind::StripeStorm => {
            rig.double.chaos(Some(storm(rng.random())));
            tokio::time::sleep(seconds(rng, 10.0..25.0).min(left)).await;
            rig.double.chaos(Some(calm(rng.random())));
            Ok("half the Stripe writes held, lost, slow or failed".into())
        }
        _ => salesforce.play(rig, rng, kind, left).await,
    }
}

/// How many faults of each kind were played.
pub fn counts(played: &[Played]) -> BTreeMap<FaultKind, usize> {
    let mut counts = BTreeMap::new();
    for fault in played {
        *counts.entry(fault.kind).or_default() += 1;
    }
    counts
}
