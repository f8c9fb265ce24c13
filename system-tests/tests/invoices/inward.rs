//! What happens to invoices in Stripe comes back: a payment, a void, an
//! edit, an invoice made in the dashboard. Against the Stripe double, which
//! sends every invoice event of Stripe's life cycle (localstripe sends only
//! `invoice.created` and `invoice.payment_succeeded`).

use serde_json::{json, Value};

use crate::support::{line, Billing};

/// A finalized invoice of a new customer, in sync: (our id, Stripe's id, version).
async fn open_invoice(stack: &Billing, name: &str) -> (String, String, i64) {
    let customer = stack.customer(name).await;
    let invoice = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Retainer", 1, 25000)]})).await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    let version = stack.command(&id, "finalize").await["version"].as_i64().unwrap();
    let synced = stack.wait_synced(&id, version).await;
    (id, synced["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned(), version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_a_void_and_an_edit_made_in_stripe_show_up_here_without_echo() {
    let stack = Billing::running("poll").await;
    let (paid, paid_in_stripe, version) = open_invoice(&stack, "Gus").await;
    let (voided, voided_in_stripe, _) = open_invoice(&stack, "Hal").await;
    let writes = stack.writes();

    // Act: in the dashboard, a new description, a card payment (after
    // which Stripe may refuse a description) and a void.
    let (status, _) = stack.stripe.dashboard("POST", &format!("/v1/invoices/{paid_in_stripe}"), &[("description", "Paid by card")]);
    assert_eq!(status, 200);
    let (status, _) = stack.stripe.dashboard("POST", &format!("/v1/invoices/{paid_in_stripe}/pay"), &[]);
    assert_eq!(status, 200);
    let (status, _) = stack.stripe.dashboard("POST", &format!("/v1/invoices/{voided_in_stripe}/void"), &[]);
    assert_eq!(status, 200);

    // Assert: here too, as changes from Stripe (synced, nothing sent back).
    let shown = stack.wait_local(&paid, "the payment and the edit", |i| i["status"] == "paid" && i["description"] == "Paid by card").await;
    assert_eq!((shown["amount_paid"].as_i64(), shown["amount_remaining"].as_i64()), (Some(25000), Some(0)));
    assert!(shown["version"].as_i64().unwrap() > version);
    assert_eq!(shown["sync"]["stripe"]["status"], "synced");
    stack.wait_local(&voided, "the void", |i| i["status"] == "void").await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(stack.writes(), writes, "nothing bounced back to Stripe");
    assert_eq!(stack.local(&paid).await["version"], shown["version"], "applied once");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_made_in_the_dashboard_becomes_local_and_one_of_an_unknown_customer_is_a_conflict() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Ivy").await;
    let in_stripe = stack.customer_in_stripe(&customer).await;
    // A customer Stripe has and we refuse (no email): unknown here.
    let (_, stranger) = stack.stripe.dashboard("POST", "/v1/customers", &[("name", "No Email")]);
    let stranger = stranger["id"].as_str().unwrap().to_owned();

    // Act: an invoice for each, made in the dashboard; the stranger's first.
    let (_, orphan) = stack.stripe.dashboard("POST", "/v1/invoices", &[("customer", &stranger), ("auto_advance", "false")]);
    let (status, made) = stack.stripe.dashboard("POST", "/v1/invoices", &[("customer", &in_stripe), ("description", "From the dashboard")]);
    assert_eq!(status, 200, "{made}");
    let made = made["id"].as_str().unwrap().to_owned();
    let item = [
        ("customer", in_stripe.as_str()),
        ("invoice", made.as_str()),
        ("description", "Workshop"),
        ("quantity", "2"),
        ("unit_amount_decimal", "30000"),
    ];
    assert_eq!(stack.stripe.dashboard("POST", "/v1/invoiceitems", &item).0, 200);

    // Assert: the known customer's invoice is here, with its line.
    let path = format!("/invoices?customer_id={customer}");
    let local = testkit::wait_for("the dashboard's invoice here", crate::support::WAIT, || async {
        let page = stack.get(&path).await;
        page["data"].as_array().and_then(|d| d.first().cloned()).filter(|i| i["lines"].as_array().is_some_and(|l| l.len() == 1))
    })
    .await;
    assert_eq!((local["status"].as_str(), local["description"].as_str()), (Some("draft"), Some("From the dashboard")));
    assert_eq!((local["lines"][0]["quantity"].as_i64(), local["lines"][0]["unit_amount"].as_i64()), (Some(2), Some(30000)));
    assert_eq!(local["sync"]["stripe"]["external_id"].as_str(), Some(made.as_str()));
    // Edited here, it goes back out: the line made there is claimed by
    // ours, not deleted and made again.
    let item_before = stack.stripe.invoice(&made).unwrap()["lines"]["data"][0]["parent"]["invoice_item_details"]["invoice_item"].clone();
    let id = local["id"].as_str().unwrap();
    let edited = stack.patch(id, json!({"description": "Edited here"})).await;
    stack.wait_synced(id, edited["version"].as_i64().unwrap()).await;
    let remote = stack.stripe.invoice(&made).unwrap();
    assert_eq!((remote["description"].as_str(), remote["metadata"]["catalog_sync_id"].as_str()), (Some("Edited here"), Some(id)));
    let lines = remote["lines"]["data"].as_array().unwrap();
    assert_eq!((lines.len(), &lines[0]["parent"]["invoice_item_details"]["invoice_item"]), (1, &item_before), "{remote}");
    assert_eq!(lines[0]["metadata"]["catalog_sync_line"], local["lines"][0]["id"]);
    // The stranger's is a visible conflict, and blocked nothing.
    let orphan = orphan["id"].as_str().unwrap().to_owned();
    let conflict = testkit::wait_for("the conflict shown", crate::support::WAIT, || async {
        let conflicts = stack.get("/sync/conflicts?entity_type=invoice").await;
        conflicts["data"].as_array().and_then(|d| d.iter().find(|c| c["external_id"] == orphan.as_str()).cloned())
    })
    .await;
    assert!(conflict["problem"].as_str().is_some_and(|p| p.contains(&stranger)), "{conflict}");
    let all: Value = stack.get("/invoices").await;
    assert_eq!(all["data"].as_array().map(Vec::len), Some(1), "the orphan is not taken in");
    stack.cleanup().await;
}
