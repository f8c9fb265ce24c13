//! A worker killed between two of the calls that make one invoice (the
//! draft made, its first line on its way) resumes from what Stripe holds:
//! no second invoice, no doubled line. Against the Stripe double, which
//! can hold a call until after its caller died (localstripe has no lines).

use std::time::Duration;

use serde_json::json;
use testkit::{Calls, Fault};

use crate::support::{billed, line, Billing, Pair, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_between_the_draft_and_its_lines_doubles_nothing() {
    let mut stack = Billing::start("poll", |_| {}).await;
    stack.start_worker(Pair::Customers);
    let customer = stack.customer("Fay").await;
    stack.customer_in_stripe(&customer).await;
    // The real binary, so that it can be killed; only the invoice pair.
    let vars = [("WORKER_PAIRS", "invoice:stripe")];
    let mut doomed = testkit::spawn_binary(&testkit::workspace_binary("sync-worker"), &stack.settings, &vars);
    stack.stripe.fault(Calls::new("POST", "/v1/invoiceitems"), Fault::Hold(None), Some(1));

    // Act: the draft is made, its first line is held on the way, and the
    // worker dies; the held line lands after.
    let body = json!({"customer_id": customer, "currency": "usd", "lines": [line("Design", 2, 15000), line("Build", 5, 20000)]});
    let id = stack.invoice(body).await["id"].as_str().unwrap().to_owned();
    testkit::wait_for("the first line held", WAIT, || async { (stack.stripe.held() == 1).then_some(()) }).await;
    doomed.start_kill().unwrap();
    doomed.wait().await.unwrap();
    stack.stripe.release_held();
    testkit::wait_for("the held line to land", WAIT, || async { (billed(&stack.remote(&id)).len() == 1).then_some(()) }).await;
    assert_eq!(stack.local(&id).await["sync"]["stripe"]["status"], "pending");

    // A new worker takes the redelivered change.
    stack.start_worker(Pair::Invoices);
    stack.wait_synced(&id, 1).await;

    let remote = stack.remote(&id);
    assert_eq!(billed(&remote), [("Design".to_owned(), 2, 30000), ("Build".to_owned(), 5, 100000)], "each line once");
    let mut ours: Vec<String> = remote["lines"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["metadata"]["catalog_sync_line"].as_str().unwrap().to_owned())
        .collect();
    ours.dedup();
    assert_eq!(ours.len(), 2);
    assert_eq!(stack.stripe.invoices().len(), 1, "no second invoice");
    // Settled: later polls change nothing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(billed(&stack.remote(&id)).len(), 2);
    stack.cleanup().await;
}
