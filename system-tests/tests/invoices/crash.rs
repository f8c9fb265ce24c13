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
    // Settled: later polls change nothing, and the half-made invoice's
    // events (one line) were never taken for an edit made there.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(billed(&stack.remote(&id)).len(), 2);
    let local = stack.local(&id).await;
    assert_eq!((local["version"].as_i64(), local["lines"].as_array().map(Vec::len)), (Some(1), Some(2)), "{local}");
    stack.cleanup().await;
}

/// The draft's answer lost (it was made) and a line answered with a 500
/// Stripe keeps under the line's key (it began executing; it did not land):
/// the create stays in doubt and is resumed, finding the draft it made; the
/// line goes again under a new key, since its own replays the 500 for a
/// day. Against the double, which plays both faults (localstripe cannot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_and_a_5xx_midway_leave_one_invoice_with_each_line_once() {
    let mut stack = Billing::start("poll", |s| s.stripe.timeout_ms = 1_000).await;
    stack.start_worker(Pair::Customers);
    stack.start_worker(Pair::Invoices);
    let customer = stack.customer("Gil").await;
    stack.customer_in_stripe(&customer).await;
    stack.stripe.fault(Calls::new("POST", "/v1/invoices"), Fault::LoseAnswer, Some(1));
    stack.stripe.fault(Calls::new("POST", "/v1/invoiceitems"), Fault::ServerError { status: 500, landed: false }, Some(1));

    let body = json!({"customer_id": customer, "currency": "usd", "lines": [line("Audit", 1, 70000), line("Report", 2, 5000)]});
    let id = stack.invoice(body).await["id"].as_str().unwrap().to_owned();
    let synced = stack.wait_synced(&id, 1).await;

    assert_eq!(stack.stripe.invoices().len(), 1, "no second draft");
    assert_eq!(billed(&stack.remote(&id)), [("Audit".to_owned(), 1, 70000), ("Report".to_owned(), 2, 10000)]);
    assert!(synced["sync"]["stripe"]["last_error"].is_null(), "{synced}");
    let failed: Vec<bool> =
        stack.stripe.log().iter().filter(|c| c.path == "/v1/invoiceitems" && c.status == 500).map(|c| c.replayed).collect();
    assert_eq!(failed, [false, true], "the 500 was played, then replayed once from its key, which was then left");
    stack.cleanup().await;
}

/// A line and the finalize each answered with a 500 Stripe keeps under its
/// key after the call took effect: the invoice is read again and finished
/// under new keys, each line once, finalized once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_500s_after_a_line_and_the_finalize_landed_leave_each_once() {
    let mut stack = Billing::start("poll", |_| {}).await;
    stack.start_worker(Pair::Customers);
    stack.start_worker(Pair::Invoices);
    let customer = stack.customer("Hal").await;
    stack.customer_in_stripe(&customer).await;
    let kept = Fault::ServerError { status: 500, landed: true };
    stack.stripe.fault(Calls::new("POST", "/v1/invoiceitems"), kept, Some(1));

    let body = json!({"customer_id": customer, "currency": "usd", "lines": [line("Plan", 1, 30000), line("Build", 3, 10000)]});
    let id = stack.invoice(body).await["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;
    let external = stack.local(&id).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    stack.stripe.fault(Calls::new("POST", &format!("/v1/invoices/{external}/finalize")), kept, Some(1));
    let finalized = stack.command(&id, "finalize").await;
    stack.wait_synced(&id, finalized["version"].as_i64().unwrap()).await;

    let remote = stack.remote(&id);
    assert_eq!(billed(&remote), [("Plan".to_owned(), 1, 30000), ("Build".to_owned(), 3, 30000)], "each line once");
    assert_eq!(remote["status"], "open");
    let finalizes = stack.stripe.log().iter().filter(|c| c.path.ends_with("/finalize") && c.status < 300).count();
    assert_eq!(finalizes, 0, "the finalize landed once, under the 500 Stripe kept; nothing was finalized twice");
    assert_eq!(stack.stripe.invoices().len(), 1);
    stack.cleanup().await;
}
