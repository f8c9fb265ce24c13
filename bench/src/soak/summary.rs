//! What a soak run prints and writes as JSON: what was done (operations by
//! kind and outcome, faults by kind, how Stripe's calls went), whether the
//! sync went quiet, and the three results.

use std::collections::BTreeMap;

use serde::Serialize;
use testkit::Fault;

use super::compare::{Finding, Verdict};
use super::faults::{FaultKind, Played};
use super::ledger::{Cohort, OpCount};
use super::settle::Backlog;

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
    /// Answered 429/500/503 without landing.
    pub failed: u64,
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
                None => {}
            }
        }
        calls
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
    pub settled: bool,
    pub settle_seconds: f64,
    pub backlog: Backlog,
    /// Stripe events neither the webhook nor the poller stored.
    pub events_missed: usize,
    pub lost: usize,
    pub doubled: usize,
    pub diverged: usize,
    pub findings: Vec<Finding>,
    /// Where the database and logs were kept (failed runs only).
    pub evidence: Option<String>,
}

impl Summary {
    pub fn count(findings: &[Finding], verdict: Verdict) -> usize {
        findings.iter().filter(|f| f.verdict == verdict).count()
    }

    pub fn passed(&self) -> bool {
        self.settled && self.lost == 0 && self.doubled == 0 && self.diverged == 0
    }

    pub fn print(&self) {
        println!("\n== Soak: seed {}, {:.2} min ({:.0} s of load), {} build", self.seed, self.minutes, self.seconds, self.profile);
        println!("operations            sent  accepted  refused  undecided  skipped");
        let mut total = OpCount::default();
        for (kind, c) in &self.operations {
            println!("  {kind:<16} {:>8} {:>9} {:>8} {:>10} {:>8}", c.sent, c.accepted, c.refused, c.undecided, c.skipped);
            total.sent += c.sent;
            total.accepted += c.accepted;
        }
        println!("  {:<16} {:>8} {:>9}", "all", total.sent, total.accepted);
        let cohorts: Vec<String> = self.customers.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        println!("customers             {} ({} uncertain: convergence only)", cohorts.join(" · "), self.uncertain);
        let faults: Vec<String> = self.faults.iter().map(|(k, n)| format!("{k:?} {n}")).collect();
        println!("faults                {} ({})", self.fault_log.len(), faults.join(" · "));
        let s = &self.stripe;
        println!(
            "Stripe calls          {} writes, {} reads · held {} · answer lost {} · slow {} · failed {} · idempotent replays {}",
            s.writes, s.reads, s.held, s.lost, s.slow, s.failed, s.idempotent_replays
        );
        match self.settled {
            true => println!("quiescence            reached in {:.1} s", self.settle_seconds),
            false => println!("quiescence            NOT reached in {:.0} s: {:?}", self.settle_seconds, self.backlog),
        }
        println!("Stripe events missed  {} (neither webhook nor poller stored them)", self.events_missed);
        println!("result                lost {} · doubled {} · diverged {}", self.lost, self.doubled, self.diverged);
        println!("{}", if self.passed() { "PASS" } else { "FAIL" });
    }
}
