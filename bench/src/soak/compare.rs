//! Both sides held to what the soak did. A customer may show under more
//! than one verdict (a lost write is usually a divergence too).
//! - lost: a single-sided customer's last accepted change is not its final
//!   state, locally or in Stripe;
//! - doubled: two Stripe customers carry one id of ours, two local
//!   customers are linked to one Stripe customer, or a Stripe-created
//!   customer came in twice;
//! - diverged: the two sides differ for any customer, or the sync gave up
//!   on something (dead letter, `failed` link, failed event, open conflict).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::ledger::{Cohort, Ledger, Tracked};
use super::person::RemoteCustomer;
use super::snapshot::{LocalCustomer, Snapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Lost,
    Doubled,
    Diverged,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub verdict: Verdict,
    pub what: String,
    pub local_ids: Vec<String>,
    pub stripe_ids: Vec<String>,
    /// The customer's index in the ledger, when the soak made it.
    pub tracked: Option<usize>,
}

fn same(remote: &RemoteCustomer, name: &str, email: &str) -> bool {
    remote.name.as_deref() == Some(name) && remote.email.as_deref() == Some(email)
}

struct Checker<'a> {
    snap: &'a Snapshot,
    local: HashMap<&'a str, &'a LocalCustomer>,
    by_ours: HashMap<&'a str, Vec<&'a RemoteCustomer>>,
    remote: HashMap<&'a str, &'a RemoteCustomer>,
    findings: Vec<Finding>,
}

pub fn compare(ledger: &Ledger, snap: &Snapshot) -> Vec<Finding> {
    let mut checker = Checker {
        snap,
        local: snap.local_by_id(),
        by_ours: snap.remote_by_ours(),
        remote: snap.remote.iter().map(|r| (r.id.as_str(), r)).collect(),
        findings: Vec::new(),
    };
    for (index, tracked) in ledger.customers.iter().enumerate() {
        if !tracked.uncertain {
            checker.lost(index, tracked);
        }
    }
    checker.doubled(ledger);
    checker.diverged();
    checker.findings
}

impl<'a> Checker<'a> {
    fn note(&mut self, verdict: Verdict, what: String, local: &[&str], stripe: &[&str], tracked: Option<usize>) {
        let owned = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect();
        self.findings.push(Finding { verdict, what, local_ids: owned(local), stripe_ids: owned(stripe), tracked });
    }

    /// Local rows linked to Stripe customer `stripe_id`.
    fn linked_to(&self, stripe_id: &str) -> Vec<&'a LocalCustomer> {
        self.snap.local.iter().filter(|c| c.external_id.as_deref() == Some(stripe_id)).collect()
    }

    fn lost(&mut self, index: usize, tracked: &Tracked) {
        let want = &tracked.expected;
        let t = Some(index);
        match (tracked.cohort, tracked.local_id.as_deref(), tracked.stripe_id.as_deref()) {
            (Cohort::Api | Cohort::StripeEdited, Some(id), _) => {
                let remote: Vec<&RemoteCustomer> = self.by_ours.get(id).cloned().unwrap_or_default();
                let remote_ids: Vec<&str> = remote.iter().map(|r| r.id.as_str()).collect();
                let Some(local) = self.local.get(id).copied() else {
                    return self.note(Verdict::Lost, "an accepted create is missing here".into(), &[id], &remote_ids, t);
                };
                let side = if tracked.cohort == Cohort::Api { "our API" } else { "Stripe (by a person)" };
                if tracked.deleted {
                    if !local.deleted {
                        self.note(Verdict::Lost, format!("deleted in {side}, still live here"), &[id], &remote_ids, t);
                    }
                    if !remote.is_empty() {
                        self.note(Verdict::Lost, format!("deleted in {side}, still live in Stripe"), &[id], &remote_ids, t);
                    }
                    return;
                }
                if local.deleted || local.name != want.name || local.email != want.email {
                    let what = format!("the last change accepted by {side} {want:?} is not what we hold");
                    self.note(Verdict::Lost, what, &[id], &remote_ids, t);
                }
                if remote.is_empty() || remote.iter().any(|r| !same(r, &want.name, &want.email)) {
                    let what = format!("the last change accepted by {side} {want:?} is not what Stripe holds");
                    self.note(Verdict::Lost, what, &[id], &remote_ids, t);
                }
            }
            (Cohort::StripeBorn, _, Some(stripe_id)) => {
                let linked = self.linked_to(stripe_id);
                let ids: Vec<&str> = linked.iter().map(|c| c.id.as_str()).collect();
                if tracked.deleted {
                    if linked.iter().any(|c| !c.deleted) {
                        self.note(Verdict::Lost, "deleted in Stripe, still live here".into(), &ids, &[stripe_id], t);
                    }
                    return;
                }
                if !linked.iter().any(|c| !c.deleted && c.name == want.name && c.email == want.email) {
                    let what = format!("made in Stripe; its last values {want:?} are not what we hold (or it never came in)");
                    self.note(Verdict::Lost, what, &ids, &[stripe_id], t);
                }
                if !self.remote.get(stripe_id).is_some_and(|r| same(r, &want.name, &want.email)) {
                    self.note(Verdict::Lost, format!("made in Stripe; Stripe no longer holds {want:?}"), &ids, &[stripe_id], t);
                }
            }
            // Both sides edit it (convergence only), or its create never answered.
            _ => {}
        }
    }

    fn doubled(&mut self, ledger: &Ledger) {
        let doubles: Vec<(String, Vec<&str>)> = self
            .by_ours
            .iter()
            .filter(|(_, r)| r.len() > 1)
            .map(|(ours, r)| ((*ours).to_owned(), r.iter().map(|c| c.id.as_str()).collect()))
            .collect();
        for (ours, remote) in doubles {
            self.note(Verdict::Doubled, format!("{} live Stripe customers carry our id", remote.len()), &[&ours], &remote, None);
        }
        let born: BTreeSet<&str> =
            ledger.customers.iter().filter(|c| c.cohort == Cohort::StripeBorn).filter_map(|c| c.stripe_id.as_deref()).collect();
        let mut by_external: HashMap<&str, Vec<&str>> = HashMap::new();
        for local in &self.snap.local {
            if let Some(external) = local.external_id.as_deref().filter(|e| !born.contains(e)) {
                by_external.entry(external).or_default().push(local.id.as_str());
            }
        }
        for (external, locals) in by_external.into_iter().filter(|(_, l)| l.len() > 1) {
            self.note(
                Verdict::Doubled,
                format!("{} local customers linked to one Stripe customer", locals.len()),
                &locals,
                &[external],
                None,
            );
        }
        for (index, tracked) in ledger.customers.iter().enumerate().filter(|(_, c)| c.cohort == Cohort::StripeBorn) {
            let Some(stripe_id) = tracked.stripe_id.as_deref() else { continue };
            let mut locals: BTreeSet<&str> = self.linked_to(stripe_id).iter().map(|c| c.id.as_str()).collect();
            locals.extend(self.snap.local.iter().filter(|c| tracked.emails.contains(&c.email)).map(|c| c.id.as_str()));
            if locals.len() > 1 {
                let locals: Vec<&str> = locals.into_iter().collect();
                let what = format!("made in Stripe once, {} local customers stand for it", locals.len());
                self.note(Verdict::Doubled, what, &locals, &[stripe_id], Some(index));
            }
        }
    }

    fn diverged(&mut self) {
        let snap = self.snap;
        for local in snap.local.iter().filter(|c| !c.deleted) {
            let id = local.id.as_str();
            match local.external_id.as_deref() {
                None => self.note(Verdict::Diverged, "live here, never reached Stripe".into(), &[id], &[], None),
                Some(external) => match self.remote.get(external) {
                    None => self.note(Verdict::Diverged, "live here, its Stripe customer is gone".into(), &[id], &[external], None),
                    Some(r) if !same(r, &local.name, &local.email) => {
                        let what = format!("here ({}, {}), in Stripe ({:?}, {:?})", local.name, local.email, r.name, r.email);
                        self.note(Verdict::Diverged, what, &[id], &[external], None);
                    }
                    Some(_) => {}
                },
            }
            if local.link_status.as_deref() == Some("failed") {
                self.note(Verdict::Diverged, format!("link failed: {:?}", local.last_error), &[id], &[], None);
            }
        }
        for remote in &snap.remote {
            let rid = remote.id.as_str();
            match remote.ours.as_deref() {
                Some(ours) => match self.local.get(ours) {
                    None => self.note(Verdict::Diverged, "live in Stripe with our id; no such customer here".into(), &[ours], &[rid], None),
                    Some(l) if l.deleted => self.note(Verdict::Diverged, "live in Stripe, deleted here".into(), &[ours], &[rid], None),
                    Some(_) => {}
                },
                None if self.linked_to(rid).is_empty() => {
                    self.note(Verdict::Diverged, "made in Stripe, never came in".into(), &[], &[rid], None)
                }
                None => {}
            }
        }
        for letter in &snap.dead_letters {
            let id = letter["change"]["entity_id"].as_str().unwrap_or_default();
            let what = format!("dead letter after {} attempt(s): {}", letter["attempts"], letter["error"]);
            self.note(Verdict::Diverged, what, &[id], &[], None);
        }
        for failure in &snap.failures {
            let what = format!("{}: {}", failure.what, failure.detail.as_deref().unwrap_or(""));
            let local: Vec<&str> = failure.entity_id.as_deref().into_iter().collect();
            let remote: Vec<&str> = failure.external_id.as_deref().into_iter().collect();
            self.note(Verdict::Diverged, what, &local, &remote, None);
        }
    }
}
