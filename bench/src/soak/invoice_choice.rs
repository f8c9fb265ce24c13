//! Which invoice operation comes next: drawn by weight, on an invoice whose
//! status (as the soak last saw it) lets the operation through, so most are
//! accepted. A race (Stripe or the other side moved it on) is a refusal,
//! which is fine. With no such invoice, a new draft instead.

use rand::rngs::StdRng;
use rand::Rng;

use super::driver::weighted;
use super::invoice_ledger::{InvoiceOp, Origin};
use super::ledger::{Cohort, Ledger};

/// Invoice operations per operation of the soak.
pub const SHARE: f64 = 0.3;

/// Kinds and weights: our API, then a person in Stripe's dashboard.
const KINDS: [(&str, u32); 13] = [
    ("create", 18),
    ("patch", 16),
    ("finalize", 10),
    ("pay", 5),
    ("void", 4),
    ("mark_uncollectible", 2),
    ("delete", 4),
    ("dashboard.create", 6),
    ("dashboard.pay", 5),
    ("dashboard.void", 3),
    ("dashboard.edit_open", 5),
    ("dashboard.add_line", 8),
    ("dashboard.edit_draft", 6),
];
/// A person adds lines to a draft only while it has fewer (Stripe embeds
/// ten lines in an invoice; the comparison reads them from there).
pub const DASHBOARD_LINES_BELOW: usize = 6;

/// The statuses an operation needs, and whether it is our API's.
fn needs(kind: &str) -> (&'static [&'static str], bool) {
    match kind {
        "patch" => (&["draft", "open", "paid", "void", "uncollectible"], true),
        "finalize" | "delete" => (&["draft"], true),
        "pay" | "void" => (&["open", "uncollectible"], true),
        "mark_uncollectible" => (&["open"], true),
        "dashboard.pay" | "dashboard.void" | "dashboard.edit_open" => (&["open"], false),
        _ => (&["draft"], false),
    }
}

/// The next invoice operation; the invoice it concerns is marked busy.
/// `None` when there is nothing to do yet (no customer to bill).
pub fn choose(rng: &mut StdRng, ledger: &mut Ledger) -> Option<InvoiceOp> {
    let kind = weighted(rng, &KINDS);
    if kind == "create" || kind == "dashboard.create" {
        return create(rng, ledger, kind == "dashboard.create");
    }
    let (statuses, api) = needs(kind);
    let candidates: Vec<usize> = ledger
        .invoices
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.busy && !i.deleted && statuses.contains(&i.status.as_str()))
        // Our API changes the invoices it made; a person changes any.
        .filter(|(_, i)| if api { i.origin == Origin::Api && i.local_id.is_some() } else { true })
        .filter(|(_, i)| kind != "dashboard.add_line" || i.line_count < DASHBOARD_LINES_BELOW)
        .map(|(n, _)| n)
        .collect();
    if candidates.is_empty() {
        return create(rng, ledger, false);
    }
    // Half the time one of the last ten: changes close together.
    let from = if rng.random_bool(0.5) { candidates.len().saturating_sub(10) } else { 0 };
    let index = candidates[rng.random_range(from..candidates.len())];
    ledger.invoices[index].busy = true;
    Some(match kind {
        "patch" => InvoiceOp::Patch { index },
        "finalize" => InvoiceOp::Command { index, command: "finalize" },
        "pay" => InvoiceOp::Command { index, command: "pay" },
        "void" => InvoiceOp::Command { index, command: "void" },
        "mark_uncollectible" => InvoiceOp::Command { index, command: "mark-uncollectible" },
        "delete" => InvoiceOp::Delete { index },
        "dashboard.pay" => InvoiceOp::DashboardPay { index },
        "dashboard.void" => InvoiceOp::DashboardVoid { index },
        "dashboard.edit_open" => InvoiceOp::DashboardDescribeOpen { index },
        "dashboard.add_line" => InvoiceOp::DashboardAddLine { index },
        _ => InvoiceOp::DashboardDescribeDraft { index },
    })
}

/// A new invoice of a live customer made and changed through our API only
/// (so no one deletes it in Stripe or Salesforce; the soak never deletes a
/// billed customer either). In the dashboard, only once it is in Stripe.
fn create(rng: &mut StdRng, ledger: &mut Ledger, dashboard: bool) -> Option<InvoiceOp> {
    let customers: Vec<usize> = ledger
        .customers
        .iter()
        .enumerate()
        // Not busy: a delete of it chosen already does not meet its invoice.
        .filter(|(_, c)| c.cohort == Cohort::Api && !c.busy && !c.deleted && !c.delete_tried && c.local_id.is_some())
        .map(|(n, _)| n)
        .collect();
    if customers.is_empty() {
        return None;
    }
    let customer = customers[rng.random_range(0..customers.len())];
    let origin = if dashboard { Origin::Dashboard } else { Origin::Api };
    let index = ledger.add_invoice(origin, customer);
    Some(if dashboard { InvoiceOp::DashboardCreate { index } } else { InvoiceOp::Create { index } })
}
