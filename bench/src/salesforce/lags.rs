//! The two lags of the Salesforce pair, each timed to the moment the double
//! answered the call that matters (its log notes when).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use testkit::salesforce_double::{Logged, EXTERNAL_ID};
use testkit::StripeDouble;

use super::{Rig, POLL_MS};
use crate::client::Made;
use crate::drive::{paced, until};
use crate::outward::LagRun;
use crate::report::step;
use crate::stats::Latency;

/// People editing Contacts in Salesforce at once, each their own Contacts.
const PEOPLE: usize = 4;
/// How long an edit may take to show before it counts as lost.
const VISIBLE_WITHIN: Duration = Duration::from_secs(10);
/// How often the API is read while waiting for an edit to show.
const READ_EVERY: Duration = Duration::from_millis(5);

pub struct Outward {
    pub salesforce: LagRun,
    pub stripe: LagRun,
    pub made: Vec<Made>,
}

/// Creates `count` customers at `per_second`; the lag of each to Salesforce
/// and, for the same change, to Stripe.
pub async fn outward(rig: &Rig, stripe: &StripeDouble, per_second: f64, count: usize) -> Outward {
    let bar = step(&format!("{count} creates at {per_second}/s, to Salesforce and Stripe"), count);
    let api = &rig.api;
    let results = paced(per_second, count, &bar, |_| {
        let api = api.clone();
        async move { api.create().await }
    })
    .await;
    bar.finish_and_clear();
    let errors = results.iter().filter(|r| r.is_err()).count();
    let made: Vec<Made> = results.into_iter().filter_map(Result::ok).collect();
    until(Duration::from_secs(30), Duration::from_millis(20), || async {
        let upserted = upserted(&rig.double.calls());
        made.iter().all(|m| upserted.contains_key(&m.id) && stripe.created_at(&m.id).is_some())
    })
    .await;
    let upserted = upserted(&rig.double.calls());
    let salesforce: Vec<Duration> =
        made.iter().filter_map(|m| upserted.get(&m.id).map(|at| at.saturating_duration_since(m.answered))).collect();
    let to_stripe: Vec<Duration> =
        made.iter().filter_map(|m| stripe.created_at(&m.id).map(|at| at.saturating_duration_since(m.answered))).collect();
    let run = |lags: &[Duration]| LagRun { per_second, lag: Latency::of(lags), lost: made.len() - lags.len(), errors, made: Vec::new() };
    Outward { salesforce: run(&salesforce), stripe: run(&to_stripe), made }
}

/// Our customer id -> when its Contact's first successful upsert was answered.
fn upserted(calls: &[Logged]) -> HashMap<String, Instant> {
    let marker = format!("/sobjects/Contact/{EXTERNAL_ID}/");
    let mut first = HashMap::new();
    for call in calls.iter().filter(|c| c.method == "PATCH" && matches!(c.status, 200 | 201)) {
        if let Some((_, id)) = call.path.split_once(&marker) {
            first.entry(id.trim_end_matches('/').to_owned()).or_insert(call.at);
        }
    }
    first
}

/// A poll's first call: a query (not a later page of one).
pub fn starts_a_poll(call: &Logged) -> bool {
    call.method == "GET" && call.path.contains("/queryAll") && call.query.starts_with("q=")
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Inward {
    /// From the edit until the API shows it.
    pub lag: Latency,
    /// From the poll that read the edit until the API shows it: ours.
    pub overhead: Latency,
    pub edits: usize,
    /// Edits not shown within 10 s.
    pub lost: usize,
}

/// `samples` renames of synced customers' Contacts, made as people in
/// Salesforce would, each at a random moment of the poll's cycle.
pub async fn inward(rig: &Rig, made: &[Made], samples: usize) -> anyhow::Result<Inward> {
    let contacts: HashMap<String, String> = rig
        .double
        .contacts()
        .into_iter()
        .filter_map(|c| Some((c[EXTERNAL_ID].as_str()?.to_owned(), c["Id"].as_str()?.to_owned())))
        .collect();
    let linked: Vec<(&Made, &String)> = made.iter().filter_map(|m| contacts.get(&m.id).map(|c| (m, c))).collect();
    anyhow::ensure!(!linked.is_empty(), "no customer reached Salesforce: no Contact to edit");
    let bar = step(&format!("{samples} edits in Salesforce, read back"), samples);
    let per_person = samples.div_ceil(PEOPLE);
    let people = (0..PEOPLE).map(|person| {
        let mine: Vec<_> = linked.iter().skip(person).step_by(PEOPLE).cycle().take(per_person).copied().collect();
        let bar = &bar;
        async move {
            let mut seen = Vec::new();
            for (n, (customer, contact)) in mine.into_iter().enumerate() {
                seen.push(edit(rig, customer, contact, &format!("Edit{person}x{n}")).await);
                bar.inc(1);
            }
            seen
        }
    });
    let seen: Vec<Option<(Instant, Instant)>> = join_all(people).await.into_iter().flatten().collect();
    bar.finish_and_clear();
    let calls = rig.double.calls();
    let (mut lags, mut overheads) = (Vec::new(), Vec::new());
    for &(edited, visible) in seen.iter().flatten() {
        lags.push(visible.duration_since(edited));
        if let Some(poll) = calls.iter().find(|c| c.at > edited && starts_a_poll(c)) {
            overheads.push(visible.saturating_duration_since(poll.at));
        }
    }
    let lost = seen.iter().filter(|s| s.is_none()).count();
    Ok(Inward { lag: Latency::of(&lags), overhead: Latency::of(&overheads), edits: seen.len(), lost })
}

/// One rename in Salesforce at a random point of the poll cycle: when it
/// was made and when the API showed it, or None if it never did.
async fn edit(rig: &Rig, customer: &Made, contact: &str, last_name: &str) -> Option<(Instant, Instant)> {
    let jitter = rand::rng().random_range(0..POLL_MS);
    tokio::time::sleep(Duration::from_millis(jitter)).await;
    rig.double.update_contact(contact, &json!({"FirstName": "Polled", "LastName": last_name})).ok()?;
    // The edit is in once the call returns: a poll answered later read it.
    let edited = Instant::now();
    let name = format!("Polled {last_name}");
    let shown =
        until(VISIBLE_WITHIN, READ_EVERY, || async { rig.api.get(&customer.id).await.is_ok_and(|c| c["name"] == name.as_str()) }).await;
    shown.then(|| (edited, Instant::now()))
}
