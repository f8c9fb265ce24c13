//! The load: about `rate` operations a second for the run's time, each drawn
//! from a seeded RNG: creates, edits and deletes through our API, and the
//! same made by a person in Stripe and by one in Salesforce. One operation per customer at a time,
//! so "the last accepted write" of a customer is well defined.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::task::JoinSet;

use super::invoice_choice;
use super::ledger::{Cohort, Ledger, Values};
use super::ops::{Op, Operator};

/// Kinds of operation and their weights (out of 100): the API, a person
/// in Stripe and a person in Salesforce.
const KINDS: [(&str, u32); 10] = [
    ("api.create", 14),
    ("api.patch", 17),
    ("api.put", 8),
    ("api.delete", 4),
    ("stripe.create", 8),
    ("stripe.edit", 24),
    ("stripe.delete", 5),
    ("salesforce.create", 6),
    ("salesforce.edit", 10),
    ("salesforce.delete", 4),
];
/// Half the edits go to one of the customers made last: several changes
/// of one customer close together are where a write in doubt meets the next.
const HOT: usize = 20;
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

pub fn lock(ledger: &Mutex<Ledger>) -> std::sync::MutexGuard<'_, Ledger> {
    ledger.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Drives operations until `until` (or `stop`), then waits for those in flight.
pub async fn run(operator: Operator, seed: u64, rate: f64, until: Instant, stop: Arc<AtomicBool>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tasks = JoinSet::new();
    let operator = Arc::new(operator);
    let (started, mut shown) = (Instant::now(), Instant::now());
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        ticks.tick().await;
        if shown.elapsed() >= PROGRESS_EVERY {
            shown = Instant::now();
            let sent: u64 = lock(&operator.ledger).ops.values().map(|c| c.sent).sum();
            eprintln!("  {:6.0} s: {sent} operations done, {} in flight", started.elapsed().as_secs_f64(), tasks.len());
        }
        let op = if rng.random_bool(invoice_choice::SHARE) {
            let salt = rng.random();
            invoice_choice::choose(&mut rng, &mut lock(&operator.ledger)).map(|op| Op::Invoice(op, salt))
        } else {
            Some(choose(&mut rng, &mut lock(&operator.ledger)))
        };
        let Some(op) = op else { continue };
        let operator = operator.clone();
        tasks.spawn(async move { operator.execute(op).await });
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
}

pub fn weighted<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|(_, w)| w).sum();
    let mut draw = rng.random_range(0..total);
    for (choice, weight) in choices {
        if draw < *weight {
            return *choice;
        }
        draw -= weight;
    }
    choices[0].0
}

/// The next operation; the customer it concerns is marked busy.
fn choose(rng: &mut StdRng, ledger: &mut Ledger) -> Op {
    let kind = weighted(rng, &KINDS);
    let local_edit = matches!(kind, "api.patch" | "api.put" | "api.delete");
    let stripe_edit = matches!(kind, "stripe.edit" | "stripe.delete");
    let salesforce_edit = matches!(kind, "salesforce.edit" | "salesforce.delete");
    let candidates: Vec<usize> = ledger
        .customers
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.busy && !c.deleted)
        .filter(|(_, c)| match c.cohort {
            // A billed customer is never deleted: its invoices stay (see `invoice_choice`).
            Cohort::Api => local_edit && c.local_id.is_some() && !(kind == "api.delete" && c.billed),
            Cohort::StripeEdited => stripe_edit && c.local_id.is_some(),
            Cohort::SalesforceEdited => salesforce_edit && c.local_id.is_some(),
            Cohort::StripeBorn => stripe_edit && c.stripe_id.is_some(),
            Cohort::SalesforceBorn => salesforce_edit && c.salesforce_id.is_some(),
            Cohort::Both => (local_edit || stripe_edit || salesforce_edit) && c.local_id.is_some(),
        })
        .map(|(i, _)| i)
        .collect();
    let Some(index) = pick(rng, &candidates) else {
        return create(rng, ledger, kind);
    };
    ledger.customers[index].busy = true;
    let (name, email) = match rng.random_range(0..3) {
        0 => (Some(ledger.fresh_name()), None),
        1 => (None, Some(ledger.fresh_email())),
        _ => (Some(ledger.fresh_name()), Some(ledger.fresh_email())),
    };
    match kind {
        "api.patch" => Op::ApiPatch { index, name, email },
        "api.put" => Op::ApiPut { index, values: Values { name: ledger.fresh_name(), email: ledger.fresh_email() } },
        "api.delete" => Op::ApiDelete { index },
        "stripe.edit" => Op::StripeEdit { index, name, email },
        "stripe.delete" => Op::StripeDelete { index },
        "salesforce.edit" => Op::SalesforceEdit { index, name, email },
        _ => Op::SalesforceDelete { index },
    }
}

/// Half the time one of the last `HOT` candidates, else any.
fn pick(rng: &mut StdRng, candidates: &[usize]) -> Option<usize> {
    if candidates.is_empty() {
        return None;
    }
    let from = if rng.random_bool(0.5) { candidates.len().saturating_sub(HOT) } else { 0 };
    Some(candidates[rng.random_range(from..candidates.len())])
}

/// A new customer, made where `kind` says: in Stripe or Salesforce by a
/// person, else through our API (whoever edits it from then on).
fn create(rng: &mut StdRng, ledger: &mut Ledger, kind: &str) -> Op {
    let values = Values { name: ledger.fresh_name(), email: ledger.fresh_email() };
    match kind {
        "stripe.create" => Op::StripeCreate { index: ledger.add(Cohort::StripeBorn, values) },
        "salesforce.create" => Op::SalesforceCreate { index: ledger.add(Cohort::SalesforceBorn, values) },
        _ => {
            let cohorts = [(Cohort::Api, 50), (Cohort::StripeEdited, 20), (Cohort::SalesforceEdited, 18), (Cohort::Both, 12)];
            let cohort = weighted(rng, &cohorts);
            Op::ApiCreate { index: ledger.add(cohort, values) }
        }
    }
}
