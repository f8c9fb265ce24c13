//! The invoices' part of the summary: what was made, what each side held
//! at the end, and the comparison's results, next to the customers'.

use std::collections::BTreeMap;

use serde::Serialize;

use super::compare::invoices::Judged;
use super::compare::{Finding, Verdict};
use super::invoice_ledger::Origin;
use super::ledger::Ledger;
use super::snapshot_invoices::InvoiceSnapshot;
use super::summary::Summary;

#[derive(Debug, Clone, Default, Serialize)]
pub struct InvoiceFigures {
    /// Drafts the API accepted, and drafts a person made in Stripe.
    pub made_api: usize,
    pub made_dashboard: usize,
    /// Invoices with a write that never got a definite answer.
    pub uncertain: usize,
    /// A person changed them in Stripe as well.
    pub changed_in_stripe: usize,
    pub local_live: usize,
    pub local_deleted: usize,
    pub stripe_live: usize,
    /// Lines of the live local invoices, and of the live Stripe invoices.
    pub lines_here: usize,
    pub lines_stripe: usize,
    /// Status -> live local invoices.
    pub statuses: BTreeMap<String, usize>,
    /// Stripe lines standing for a local line without our line id.
    pub unclaimed_lines: usize,
    pub lost: usize,
    pub doubled: usize,
    pub diverged: usize,
    pub findings: Vec<Finding>,
}

impl InvoiceFigures {
    pub fn of(ledger: &Ledger, snap: &InvoiceSnapshot, judged: Judged) -> Self {
        let made = |origin: Origin| {
            ledger.invoices.iter().filter(|i| i.origin == origin && (i.local_id.is_some() || i.stripe_id.is_some())).count()
        };
        let live: Vec<_> = snap.local.iter().filter(|i| !i.deleted).collect();
        let mut statuses = BTreeMap::new();
        for invoice in &live {
            *statuses.entry(invoice.status.clone()).or_default() += 1;
        }
        let lines_here = live.iter().map(|i| serde_json::from_str::<Vec<serde_json::Value>>(&i.lines).map_or(0, |l| l.len())).sum();
        Self {
            made_api: made(Origin::Api),
            made_dashboard: made(Origin::Dashboard),
            uncertain: ledger.invoices.iter().filter(|i| i.uncertain).count(),
            changed_in_stripe: ledger.invoices.iter().filter(|i| i.dashboard_touched).count(),
            local_live: live.len(),
            local_deleted: snap.local.len() - live.len(),
            stripe_live: snap.remote.len(),
            lines_here,
            lines_stripe: snap.remote.iter().map(|r| r.lines.len()).sum(),
            statuses,
            unclaimed_lines: judged.unclaimed_lines,
            lost: Summary::count(&judged.findings, Verdict::Lost),
            doubled: Summary::count(&judged.findings, Verdict::Doubled),
            diverged: Summary::count(&judged.findings, Verdict::Diverged),
            findings: judged.findings,
        }
    }

    pub fn passed(&self) -> bool {
        self.lost == 0 && self.doubled == 0 && self.diverged == 0
    }

    pub fn print(&self) {
        let statuses: Vec<String> = self.statuses.iter().map(|(k, n)| format!("{k} {n}")).collect();
        println!(
            "invoices              made {} through the API + {} in Stripe's dashboard · {} also changed in Stripe · {} uncertain",
            self.made_api, self.made_dashboard, self.changed_in_stripe, self.uncertain
        );
        println!(
            "invoices at the end   here {} live ({}) + {} deleted, {} lines · Stripe {} live, {} lines ({} unclaimed)",
            self.local_live,
            statuses.join(", "),
            self.local_deleted,
            self.lines_here,
            self.stripe_live,
            self.lines_stripe,
            self.unclaimed_lines
        );
        println!("invoices result       lost {} · doubled {} · diverged {}", self.lost, self.doubled, self.diverged);
        for finding in self.findings.iter().take(25) {
            println!("  {:?}: {} (here {:?}, Stripe {:?})", finding.verdict, finding.what, finding.local_ids, finding.stripe_ids);
        }
        if self.findings.len() > 25 {
            println!("  ... {} more in the JSON summary", self.findings.len() - 25);
        }
    }
}
