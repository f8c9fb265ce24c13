//! An invoice reaches Stripe only once its customer is there. Until then it
//! waits, visibly, using none of its attempts, and is never dead-lettered;
//! and it does not hold up anything else. Against the Stripe double
//! (localstripe has no one-off invoices).

use serde_json::json;
use testkit::{Calls, Fault};

use crate::support::{line, Billing, Pair, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_made_right_after_its_customer_waits_for_it_then_arrives_once() {
    let mut stack = Billing::start("poll", |_| {}).await;
    stack.start_worker(Pair::Invoices);

    // The customer is not in Stripe yet: its worker is not running.
    let customer = stack.customer("Cy").await;
    let invoice = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Setup", 1, 5000)]})).await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    let waiting = stack
        .wait_local(&id, "the wait for its customer shown", |i| {
            i["sync"]["stripe"]["last_error"].as_str().is_some_and(|e| e.contains("waiting for its customer"))
        })
        .await;
    assert_eq!(waiting["sync"]["stripe"]["status"], "pending");
    assert_eq!(waiting["sync"]["stripe"]["attempts"], 0, "waiting uses no attempts");
    assert!(stack.stripe.invoices().is_empty());

    stack.start_worker(Pair::Customers);
    let synced = stack.wait_synced(&id, 1).await;
    assert!(synced["sync"]["stripe"]["last_error"].is_null(), "{synced}");
    let remote = stack.remote(&id);
    assert_eq!(remote["customer"].as_str(), Some(stack.customer_in_stripe(&customer).await.as_str()));
    let drafts = stack.stripe.log().iter().filter(|c| c.method == "POST" && c.path == "/v1/invoices" && !c.replayed).count();
    assert_eq!(drafts, 1, "one draft made");
    let dead = stack.broker.topology(&stack.settings).dead_queue("stripe", "invoice");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &dead).await, 0, "never dead-lettered");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_that_failed_for_good_blocks_its_invoice_visibly_and_nothing_else() {
    let stack = Billing::start("poll", |s| s.sync.retry_max_attempts = 2).await;
    let mut stack = stack;
    stack.start_worker(Pair::Customers);
    stack.start_worker(Pair::Invoices);
    stack.stripe.fault(Calls::new("POST", "/v1/customers"), Fault::Fail(500), Some(2));

    // Arrange: the customer's sync fails for good (dead-lettered).
    let doomed = stack.customer("Dee").await;
    testkit::wait_for("the customer's sync to fail", WAIT, || async {
        (stack.get(&format!("/customers/{doomed}")).await["sync"]["stripe"]["status"] == "failed").then_some(())
    })
    .await;
    let blocked = stack.invoice(json!({"customer_id": doomed, "currency": "usd", "lines": [line("Audit", 2, 7000)]})).await;
    let blocked = blocked["id"].as_str().unwrap().to_owned();

    // Act: meanwhile another customer and its invoice come along.
    let fine = stack.customer("Eve").await;
    let other = stack.invoice(json!({"customer_id": fine, "currency": "usd", "lines": [line("Audit", 1, 7000)]})).await;
    let other = other["id"].as_str().unwrap().to_owned();

    // Assert: they sync; the blocked invoice says why and is kept.
    stack.customer_in_stripe(&fine).await;
    stack.wait_synced(&other, 1).await;
    let shown = stack
        .wait_local(&blocked, "why it is blocked", |i| {
            i["sync"]["stripe"]["last_error"].as_str().is_some_and(|e| e.contains("blocked") && e.contains(doomed.as_str()))
        })
        .await;
    assert_eq!(shown["sync"]["stripe"]["status"], "pending", "not failed: it goes out once its customer does");
    assert!(stack.remotes(&blocked).is_empty());
    let dead = stack.broker.topology(&stack.settings).dead_queue("stripe", "invoice");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &dead).await, 0, "not dead-lettered");
    let status = stack.get("/sync/status").await;
    assert_eq!(status["integrations"]["stripe"]["outward"]["invoice"]["pending"], 1, "{status}");
    stack.cleanup().await;
}
