//! What a soak run prints and writes as JSON: what was done (operations by
//! kind and outcome, faults by kind, how Stripe's and Salesforce's calls
//! went, what the deletion guard held and the soak released), whether the
//! sync went quiet, and the four results, the invoices' next to them
//! (`summary_invoices`).

use std::collections::BTreeMap;

use serde::Serialize;
use testkit::Fault;

use super::compare::{Finding, Verdict};
use super::faults::{FaultKind, Played};
use super::held::Guarded;
use super::ledger::{Cohort, OpCount};
use super::settle::Backlog;
use super::snapshot::Snapshot;
use super::summary_invoices::InvoiceFigures;

/// Calls that reached the Stripe double, by what it did to them.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StripeCalls {
    pub writes: u64,
    pub reads: u64,
    /// Held past the worker's timeout, then landed.
    pub held: u64,
    /// Landed, answer never sent.
    pub lost: u64,
    pub slow: u64,
    /// Answered 429/503 without landing (nothing kept under the key).
    pub failed: u64,
    /// 5xx answers kept under their key (Stripe replays them).
    pub saved_failures: u64,
    /// Answered from an idempotency key instead of executed again.
    pub idempotent_replays: u64,
}

impl StripeCalls {
    pub fn of(double: &testkit::StripeDouble) -> Self {
        let mut calls = Self { idempotent_replays: double.replays(), ..Self::default() };
        for call in double.log() {
            match call.method.as_str() {
                "GET" => calls.reads += 1,
                _ => calls.writes += 1,
            }
            match call.fault {
                Some(Fault::Hold(_)) => calls.held += 1,
                Some(Fault::LoseAnswer | Fault::HoldAndLose(_)) => calls.lost += 1,
                Some(Fault::Slow(_)) => calls.slow += 1,
                Some(Fault::Fail(_)) => calls.failed += 1,
                Some(Fault::ServerError { .. }) => calls.saved_failures += 1,
                None => {}
            }
        }
        calls
    }
}

/// Calls that reached the Salesforce double (a person's edits are not calls).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SalesforceCalls {
    /// Sign-ins at the token endpoint.
    pub sign_ins: u64,
    pub reads: u64,
    /// REST calls that changed a record.
    pub writes: u64,
    /// REST calls answered with an error, whatever played it.
    pub refused: u64,
    /// Failures the soak queued (503, UNABLE_TO_LOCK_ROW) between faults.
    pub failed_on_purpose: u32,
}

impl SalesforceCalls {
    pub fn of(org: &testkit::SalesforceDouble, failed_on_purpose: u32) -> Self {
        let mut calls = Self { failed_on_purpose, ..Self::default() };
        for call in org.calls() {
            if !call.path.starts_with("/services/data/") {
                calls.sign_ins += 1;
            } else if call.is_write() {
                calls.writes += 1;
            } else if call.method == "GET" {
                calls.reads += 1;
            }
            calls.refused += u64::from(call.status >= 400);
        }
        calls
    }
}

/// How many records each side held at the end.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sides {
    pub local_live: usize,
    pub local_deleted: usize,
    pub stripe_live: usize,
    pub contacts_live: usize,
    /// In the recycle bin (an emptied bin forgets them).
    pub contacts_deleted: usize,
}

impl Sides {
    pub fn of(snap: &Snapshot) -> Self {
        let deleted_here = snap.local.iter().filter(|c| c.deleted).count();
        let deleted_there = snap.contacts.iter().filter(|c| c.deleted).count();
        Self {
            local_live: snap.local.len() - deleted_here,
            local_deleted: deleted_here,
            stripe_live: snap.remote.len(),
            contacts_live: snap.contacts.len() - deleted_there,
            contacts_deleted: deleted_there,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub seed: u64,
    pub minutes: f64,
    pub seconds: f64,
    pub profile: String,
    pub operations: BTreeMap<&'static str, OpCount>,
    pub customers: BTreeMap<Cohort, usize>,
    /// Customers with a write that never got a definite answer: held to convergence only.
    pub uncertain: usize,
    pub faults: BTreeMap<FaultKind, usize>,
    pub fault_log: Vec<Played>,
    pub stripe: StripeCalls,
    pub salesforce: SalesforceCalls,
    pub sides: Sides,
    /// Salesforce's clock against ours at the end, in minutes.
    pub salesforce_skew_minutes: i64,
    pub guarded: Guarded,
    /// What a poller said it could no longer read.
    pub poller_missed: Vec<String>,
    pub settled: bool,
    pub settle_seconds: f64,
    pub backlog: Backlog,
    /// Stripe events neither the webhook nor the poller stored.
    pub events_missed: usize,
    pub lost: usize,
    pub doubled: usize,
    pub diverged: usize,
    pub deleted_unasked: usize,
    pub findings: Vec<Finding>,
    /// The invoices: made, held at the end, and judged (with their findings).
    pub invoices: InvoiceFigures,
    /// Where the database and logs were kept (failed runs only).
    pub evidence: Option<String>,
}

impl Summary {
    pub fn count(findings: &[Finding], verdict: Verdict) -> usize {
        findings.iter().filter(|f| f.verdict == verdict).count()
    }

    pub fn passed(&self) -> bool {
        self.settled && self.lost == 0 && self.doubled == 0 && self.diverged == 0 && self.deleted_unasked == 0 && self.invoices.passed()
    }

    pub fn print(&self) {
        println!("\n== Soak: seed {}, {:.2} min ({:.0} s of load), {} build", self.seed, self.minutes, self.seconds, self.profile);
        println!("operations                 sent  accepted  refused  undecided  skipped");
        let mut total = OpCount::default();
        for (kind, c) in &self.operations {
            println!("  {kind:<21} {:>8} {:>9} {:>8} {:>10} {:>8}", c.sent, c.accepted, c.refused, c.undecided, c.skipped);
            total.sent += c.sent;
            total.accepted += c.accepted;
        }
        println!("  {:<21} {:>8} {:>9}", "all", total.sent, total.accepted);
        let cohorts: Vec<String> = self.customers.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        println!("customers             {} ({} uncertain: convergence only)", cohorts.join(" · "), self.uncertain);
        let faults: Vec<String> = self.faults.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        println!("faults                {} ({})", self.fault_log.len(), faults.join(" · "));
        let s = &self.stripe;
        println!(
            "Stripe calls          {} writes, {} reads · held {} · answer lost {} · slow {} · failed {} · 5xx kept under the key {} · idempotent replays {}",
            s.writes, s.reads, s.held, s.lost, s.slow, s.failed, s.saved_failures, s.idempotent_replays
        );
        let f = &self.salesforce;
        println!(
            "Salesforce calls      {} writes, {} reads, {} sign-ins · refused {} (of which {} failed on purpose) · clock {:+} min",
            f.writes, f.reads, f.sign_ins, f.refused, f.failed_on_purpose, self.salesforce_skew_minutes
        );
        let per = |m: &std::collections::BTreeMap<String, i64>| m.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
        let released: Vec<String> = self.guarded.released.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "deletes held          {} · released by the soak {} · still open {}",
            per(&self.guarded.held),
            released.join(", "),
            per(&self.guarded.open)
        );
        if !self.poller_missed.is_empty() {
            println!("poller missed         {}", self.poller_missed.join(" · "));
        }
        match self.settled {
            true => println!("quiescence            reached in {:.1} s", self.settle_seconds),
            false => println!("quiescence            NOT reached in {:.0} s: {:?}", self.settle_seconds, self.backlog),
        }
        let n = &self.sides;
        println!(
            "sides at the end      here {} live + {} deleted · Stripe {} live · Salesforce {} live + {} in the recycle bin",
            n.local_live, n.local_deleted, n.stripe_live, n.contacts_live, n.contacts_deleted
        );
        println!("Stripe events missed  {} (neither webhook nor poller stored them)", self.events_missed);
        self.invoices.print();
        println!(
            "result                lost {} · doubled {} · diverged {} · deleted unasked {} (customers)",
            self.lost, self.doubled, self.diverged, self.deleted_unasked
        );
        println!("{}", if self.passed() { "PASS" } else { "FAIL" });
    }
}
