//! The invoice comparison reports each kind of damage (a doubled line, a
//! missing invoice, a status that differs...) and nothing on clean sides:
//! a soak that cannot see a loss would pass for the wrong reason.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::compare::invoices::compare_invoices;
use super::compare::Verdict;
use super::invoice_ledger::{ExpectedLine, Origin};
use super::ledger::{Cohort, Ledger, Values};
use super::snapshot_invoices::{InvoiceSnapshot, LocalInvoice, RemoteInvoice};

const LINES: [(&str, &str, i64, i64); 2] = [("l1", "Seats", 3, 1500), ("l2", "Support", 1, 2000)];

fn local(id: &str, stripe: &str, status: &str) -> LocalInvoice {
    let lines: Vec<Value> =
        LINES.iter().map(|(id, d, q, u)| json!({"id": id, "description": d, "quantity": q, "unit_amount": u})).collect();
    LocalInvoice {
        id: id.into(),
        customer_id: "a".into(),
        status: status.into(),
        currency: "usd".into(),
        description: Some("November".into()),
        collection_method: "charge_automatically".into(),
        lines: Value::from(lines).to_string(),
        metadata: json!({"soak": "yes"}).to_string(),
        deleted: false,
        external_id: Some(stripe.into()),
        link_status: Some("synced".into()),
        last_error: None,
    }
}

/// The Stripe invoice `stripe` carrying `ours`, with our lines.
fn remote(stripe: &str, ours: Option<&str>, status: &str) -> RemoteInvoice {
    let lines: Vec<Value> = LINES
        .iter()
        .map(|(id, d, q, u)| {
            json!({"id": format!("il_{id}"), "description": d, "quantity_decimal": q.to_string(), "amount": q * u,
                "metadata": {"catalog_sync_line": id}})
        })
        .collect();
    let mut metadata = json!({"soak": "yes"});
    if let Some(ours) = ours {
        metadata["catalog_sync_id"] = json!(ours);
        metadata["catalog_sync_version"] = json!("3");
    }
    let invoice = json!({"id": stripe, "customer": "cus_a", "status": status, "currency": "usd", "description": "November",
        "collection_method": "charge_automatically", "metadata": metadata});
    RemoteInvoice::from_value(&invoice, &lines).expect("an invoice")
}

/// One invoice made through our API ("i1", Stripe "in_1"), expecting LINES.
fn ledger() -> Ledger {
    let mut ledger = Ledger::new(7);
    let customer = ledger.add(Cohort::Api, Values { name: "A".into(), email: "a@x.io".into() });
    ledger.customers[customer].local_id = Some("a".into());
    let index = ledger.add_invoice(Origin::Api, customer);
    let invoice = &mut ledger.invoices[index];
    invoice.local_id = Some("i1".into());
    invoice.description = Some("November".into());
    invoice.lines = LINES
        .iter()
        .map(|(id, d, q, u)| ExpectedLine { id: (*id).into(), description: (*d).into(), quantity: *q, unit_amount: *u })
        .collect();
    ledger
}

fn links() -> HashMap<String, String> {
    HashMap::from([("cus_a".to_owned(), "a".to_owned())])
}

fn verdicts(snap: &InvoiceSnapshot) -> Vec<(Verdict, String)> {
    compare_invoices(&ledger(), snap, &links()).findings.into_iter().map(|f| (f.verdict, f.what)).collect()
}

#[test]
fn clean_sides_give_no_finding() {
    let snap = InvoiceSnapshot { local: vec![local("i1", "in_1", "open")], remote: vec![remote("in_1", Some("i1"), "open")] };
    assert_eq!(verdicts(&snap), vec![]);
}

#[test]
fn a_line_twice_in_stripe_is_doubled() {
    let mut doubled = remote("in_1", Some("i1"), "open");
    let mut again = doubled.lines[0].clone();
    again.id = "il_again".into();
    doubled.lines.push(again);
    let found = verdicts(&InvoiceSnapshot { local: vec![local("i1", "in_1", "open")], remote: vec![doubled] });
    assert!(matches!(found.as_slice(), [(Verdict::Doubled, what)] if what.contains("line l1 is in Stripe 2 times")), "{found:?}");
}

#[test]
fn an_invoice_missing_from_stripe_is_lost() {
    let found = verdicts(&InvoiceSnapshot { local: vec![local("i1", "in_1", "draft")], remote: vec![] });
    assert!(matches!(found.as_slice(), [(Verdict::Lost, what)] if what.contains("no Stripe invoice")), "{found:?}");
}

#[test]
fn an_invoice_the_api_made_missing_here_is_lost() {
    let found = verdicts(&InvoiceSnapshot { local: vec![], remote: vec![] });
    assert!(matches!(found.as_slice(), [(Verdict::Lost, what)] if what.contains("made through our API, not here")), "{found:?}");
}

#[test]
fn a_status_that_differs_is_diverged() {
    let snap = InvoiceSnapshot { local: vec![local("i1", "in_1", "open")], remote: vec![remote("in_1", Some("i1"), "paid")] };
    let found = verdicts(&snap);
    assert!(matches!(found.as_slice(), [(Verdict::Diverged, what)] if what.contains("status is open here, paid in Stripe")), "{found:?}");
}

#[test]
fn a_line_billing_otherwise_or_missing_or_extra_is_diverged() {
    let mut other = remote("in_1", Some("i1"), "open");
    other.lines[0].amount = 4000;
    other.lines[1].ours = None;
    other.lines[1].description = Some("Extra".into());
    let found = verdicts(&InvoiceSnapshot { local: vec![local("i1", "in_1", "open")], remote: vec![other] });
    let whats: Vec<&str> = found.iter().filter(|(v, _)| *v == Verdict::Diverged).map(|(_, w)| w.as_str()).collect();
    assert_eq!(whats.len(), 3, "{found:?}");
    assert!(whats[0].contains("line l1 is \"Seats\" x3 at 1500 here"), "{whats:?}");
    assert!(whats[1].contains("line l2 (\"Support\" x1 at 2000) is not in Stripe"), "{whats:?}");
    assert!(whats[2].contains("is no line here"), "{whats:?}");
}

#[test]
fn two_stripe_invoices_for_one_and_one_made_there_never_taken_in() {
    let mut made_there = remote("in_9", None, "draft");
    made_there.lines.iter_mut().for_each(|l| l.ours = None);
    let snap = InvoiceSnapshot {
        local: vec![local("i1", "in_1", "open")],
        remote: vec![remote("in_1", Some("i1"), "open"), remote("in_2", Some("i1"), "open"), made_there],
    };
    let found = verdicts(&snap);
    assert!(found.iter().any(|(v, w)| *v == Verdict::Doubled && w.contains("2 Stripe invoices stand for it")), "{found:?}");
    assert!(found.iter().any(|(v, w)| *v == Verdict::Lost && w.contains("made in Stripe for customer cus_a")), "{found:?}");
}

#[test]
fn a_line_a_person_added_that_came_in_unclaimed_counts_but_is_no_fault() {
    let mut unclaimed = remote("in_1", Some("i1"), "draft");
    unclaimed.lines[1].ours = None;
    let snap = InvoiceSnapshot { local: vec![local("i1", "in_1", "draft")], remote: vec![unclaimed] };
    let judged = compare_invoices(&ledger(), &snap, &links());
    assert_eq!((judged.findings.len(), judged.unclaimed_lines), (0, 1), "{:?}", judged.findings);
}
