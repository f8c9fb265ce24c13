//! A paid invoice's text. Stripe may refuse a description once an invoice
//! is paid or void (its documents do not settle it; the double refuses it
//! at start): an edit made here while Stripe took a payment is not sent to
//! be refused, the payment there is the later change and comes in.

use serde_json::json;

use crate::support::{line, Billing, Pair};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_here_meeting_a_payment_there_is_not_sent_to_be_refused() {
    let mut stack = Billing::running("poll").await;
    let customer = stack.customer("Rae").await;
    let id = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Retainer", 1, 30000)]})).await;
    let id = id["id"].as_str().unwrap().to_owned();
    let version = stack.command(&id, "finalize").await["version"].as_i64().unwrap();
    let external = stack.wait_synced(&id, version).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();

    // Act: described here while the worker is away; paid there meanwhile.
    stack.stop_worker(Pair::Invoices).await;
    stack.patch(&id, json!({"description": "Retainer, December"})).await;
    assert_eq!(stack.stripe.dashboard("POST", &format!("/v1/invoices/{external}/pay"), &[]).0, 200);
    stack.start_worker(Pair::Invoices);

    // Assert: paid here, Stripe's text kept, nothing refused or failed.
    let paid = stack.wait_local(&id, "the payment", |i| i["status"] == "paid" && i["sync"]["stripe"]["status"] != "pending").await;
    assert_ne!(paid["sync"]["stripe"]["status"], "failed", "{paid}");
    assert!(paid["description"].is_null(), "Stripe's text, with its payment: {paid}");
    let refused: Vec<_> = stack.stripe.log().into_iter().filter(|c| c.status >= 400).collect();
    assert!(refused.is_empty(), "{refused:?}");
    assert!(stack.stripe.invoice(&external).unwrap()["description"].is_null());
    stack.cleanup().await;
}

/// Below Stripe's minimum charge (0.50 USD): finalizing marks it paid there
/// (the amount goes to the customer's balance). That shows here as Stripe
/// holds it, once, with no retry and nothing dead-lettered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invoice_below_the_minimum_charge_is_paid_on_finalizing_and_shows_so_here() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Sol").await;
    let id = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Sticker", 1, 30)]})).await;
    let id = id["id"].as_str().unwrap().to_owned();
    let version = stack.command(&id, "finalize").await["version"].as_i64().unwrap();

    let paid =
        stack.wait_local(&id, "paid as Stripe holds it", |i| i["status"] == "paid" && i["sync"]["stripe"]["status"] == "synced").await;
    assert!(paid["version"].as_i64().unwrap() > version, "taken in as a change made there: {paid}");
    assert_eq!((paid["amount_due"].as_i64(), paid["amount_remaining"].as_i64()), (Some(30), Some(0)), "{paid}");
    let writes = stack.writes();
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(stack.writes(), writes, "no retry");
    let dead = stack.broker.topology(&stack.settings).dead_queue("stripe", "invoice");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &dead).await, 0, "nothing dead-lettered");
    assert!(stack.stripe.log().iter().all(|c| c.status < 400), "nothing refused");
    stack.cleanup().await;
}
