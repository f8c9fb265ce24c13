//! Stripe's invoice events delivered twice, and newest first: each is
//! applied once, and an older one never undoes a newer state. The events
//! are the Stripe double's own (localstripe sends two kinds only), signed
//! and delivered to webhook-service by the test, in the order it chooses.

use serde_json::{json, Value};
use shared_models::db::inbound_events;
use stripe_integration::signature::sign;

use crate::support::{line, Billing, Pair, SECRET, WAIT};

async fn deliver(stack: &Billing, event: &Value) -> u16 {
    let body = event.to_string();
    let signature = sign(SECRET, chrono::Utc::now().timestamp(), body.as_bytes());
    let response = stack
        .http
        .post(format!("{}/webhooks/stripe", stack.hooks))
        .header("Stripe-Signature", signature)
        .body(body)
        .send()
        .await
        .expect("POST webhook");
    response.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_twice_and_in_reverse_order_leave_the_newest_state_applied_once() {
    let mut stack = Billing::start("webhook", |_| {}).await;
    stack.start_worker(Pair::Customers);
    stack.start_worker(Pair::Invoices);
    let customer = stack.customer("Jo").await;
    let invoice = stack.invoice(json!({"customer_id": customer, "currency": "usd", "lines": [line("Licence", 1, 80000)]})).await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    let finalized = stack.command(&id, "finalize").await["version"].as_i64().unwrap();
    let external = stack.wait_synced(&id, finalized).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    let before = stack.stripe.events().len();

    // Arrange: in Stripe, the invoice is edited, then paid.
    stack.stripe.dashboard("POST", &format!("/v1/invoices/{external}"), &[("description", "Licence 2027")]);
    stack.stripe.dashboard("POST", &format!("/v1/invoices/{external}/pay"), &[("paid_out_of_band", "true")]);
    let events: Vec<Value> =
        stack.stripe.events().into_iter().skip(before).filter(|e| e["data"]["object"]["id"] == external.as_str()).collect();
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(kinds.contains(&"invoice.paid") && kinds.contains(&"invoice.updated"), "{kinds:?}");

    // Act: newest first, then every one again.
    for event in events.iter().rev().chain(events.iter()) {
        assert_eq!(deliver(&stack, event).await, 200, "{event}");
    }

    // Assert: the newest state, applied once.
    let shown =
        stack.wait_local(&id, "paid, with the new description", |i| i["status"] == "paid" && i["description"] == "Licence 2027").await;
    let handled = testkit::wait_for("every event handled", WAIT, || async {
        let mut conn = stack.db.connect().await;
        let mut rows = Vec::new();
        for event in &events {
            let row = inbound_events::find(&mut conn, "stripe", event["id"].as_str().unwrap()).await.unwrap()?;
            if row.status == "pending" {
                return None;
            }
            rows.push(row);
        }
        Some(rows)
    })
    .await;
    assert_eq!(handled.len(), events.len(), "one inbox row per event, however often it came");
    assert_eq!(shown["version"].as_i64(), Some(finalized + 1), "one change here, not one per event");
    // An old event once more (the invoice as it was when open): nothing moves back.
    let finalized_event = |e: &Value| e["type"] == "invoice.finalized" && e["data"]["object"]["id"] == external.as_str();
    let mut stale = stack.stripe.events().into_iter().find(finalized_event).expect("Stripe's invoice.finalized");
    stale["id"] = json!(format!("evt_stale_{}", uuid::Uuid::new_v4().simple()));
    assert_eq!(deliver(&stack, &stale).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let after = stack.local(&id).await;
    assert_eq!((after["status"].as_str(), after["version"].as_i64()), (Some("paid"), Some(finalized + 1)));
    stack.cleanup().await;
}
