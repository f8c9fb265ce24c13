//! Reconcile covers invoices: what the live sync missed in both directions
//! is reported by a dry run, which changes nothing, and repaired by a run.
//! Against the Stripe double (the invoices are one-off, which localstripe
//! cannot make); no event is delivered (webhook mode, nobody delivers).

use serde_json::{json, Value};
use webhook_service::reconcile::{Changes, Summary};

use crate::support::{billed, line, Billing, Pair, WAIT};

async fn reconcile(stack: &Billing, dry_run: bool) -> Summary {
    wiring::reconciler(&stack.settings).unwrap().run(dry_run, &()).await.unwrap()
}

/// What a dry run must leave alone: the invoices here and in Stripe, the outbox.
async fn snapshot(stack: &Billing) -> (i64, i64, i64, Vec<Value>) {
    let invoices = stack.db.count("SELECT count(*) FROM invoices WHERE deleted_at IS NULL").await;
    let versions = stack.db.count("SELECT coalesce(sum(version), 0)::bigint FROM invoices").await;
    let outbox = stack.db.count("SELECT count(*) FROM outbox").await;
    (invoices, versions, outbox, stack.stripe.invoices())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_repairs_the_invoices_missed_both_ways() {
    // Arrange: X made here and synced.
    let mut stack = Billing::running("webhook").await;
    let customer = stack.customer("Kai").await;
    let in_stripe = stack.customer_in_stripe(&customer).await;
    let x = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Hours", 10, 9000)]})).await;
    let x = x["id"].as_str().unwrap().to_owned();
    let x_in_stripe = stack.wait_synced(&x, 1).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();

    // Missed: in Stripe, X edited and Y made; here, Z made while the
    // invoice worker was down, and its message lost.
    stack.stripe.dashboard("POST", &format!("/v1/invoices/{x_in_stripe}"), &[("description", "Edited in Stripe")]);
    let (_, y) = stack.stripe.dashboard("POST", "/v1/invoices", &[("customer", &in_stripe), ("auto_advance", "false")]);
    let y = y["id"].as_str().unwrap().to_owned();
    let item = [("customer", in_stripe.as_str()), ("invoice", y.as_str()), ("description", "Extra"), ("amount", "1500")];
    assert_eq!(stack.stripe.dashboard("POST", "/v1/invoiceitems", &item).0, 200);
    stack.stop_worker(Pair::Invoices).await;
    let z = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Licence", 1, 50000)]})).await;
    let z = z["id"].as_str().unwrap().to_owned();
    testkit::wait_for("the outbox relayed", WAIT, || async {
        (stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await == 0).then_some(())
    })
    .await;
    let queue = stack.broker.topology(&stack.settings).work_queue("stripe", "invoice");
    assert_eq!(testkit::purge_queue(&stack.broker.url, &queue).await, 1, "Z's message is lost");

    // Act 1: a dry run reports each repair and changes nothing.
    let before = snapshot(&stack).await;
    let dry = reconcile(&stack, true).await;
    assert_eq!(snapshot(&stack).await, before, "a dry run changes nothing");
    assert_eq!(dry.catalog, Changes { created: 1, updated: 1, deleted: 0 }, "{dry:?}");
    assert_eq!(dry.remote, Changes { created: 1, updated: 0, deleted: 0 }, "{dry:?}");

    // Act 2: the repair.
    stack.start_worker(Pair::Invoices);
    let done = reconcile(&stack, false).await;
    assert_eq!((done.catalog, done.remote), (dry.catalog, dry.remote), "{done:?}");

    // Assert: both sides hold all three, once.
    assert_eq!(stack.local(&x).await["description"], "Edited in Stripe");
    let page = stack.get(&format!("/invoices?customer_id={customer}")).await;
    let from_stripe: Vec<&Value> =
        page["data"].as_array().unwrap().iter().filter(|i| i["sync"]["stripe"]["external_id"] == y.as_str()).collect();
    assert_eq!(from_stripe.len(), 1, "{page}");
    assert_eq!(from_stripe[0]["lines"][0]["unit_amount"], 1500);
    stack.wait_synced(&z, 1).await;
    assert_eq!(billed(&stack.remote(&z)), [("Licence".to_owned(), 1, 50000)]);
    assert_eq!(stack.stripe.invoices().len(), 3);
    let again = reconcile(&stack, true).await;
    assert_eq!((again.catalog, again.remote), (Changes::default(), Changes::default()), "nothing left: {again:?}");
    stack.cleanup().await;
}
