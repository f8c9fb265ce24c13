//! An invoice's whole life made here reaches Stripe, step by step, and
//! Stripe's own figures (number, totals) come back. All against the Stripe
//! double: localstripe cannot make a one-off invoice, finalize it, or edit
//! its lines.

use serde_json::json;

use crate::support::{billed, line, Billing};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_its_edits_finalize_and_pay_reach_stripe_and_its_figures_come_back() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Ada").await;
    let customer_in_stripe = stack.customer_in_stripe(&customer).await;

    // A draft with two lines.
    let body = json!({"customer_id": customer, "currency": "eur", "description": "November", "metadata": {"order": "42"},
                      "lines": [line("Consulting", 3, 12000), line("Travel", 1, 4550)]});
    let invoice = stack.invoice(body).await;
    let id = invoice["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;
    let remote = stack.remote(&id);
    assert_eq!(remote["status"], "draft");
    assert_eq!(remote["auto_advance"], false, "the sync decides when it is finalized");
    assert_eq!((remote["customer"].as_str(), remote["currency"].as_str()), (Some(customer_in_stripe.as_str()), Some("eur")));
    assert_eq!((remote["description"].as_str(), remote["metadata"]["order"].as_str()), (Some("November"), Some("42")));
    assert_eq!(remote["metadata"]["catalog_sync_version"], "1");
    assert_eq!(billed(&remote), [("Consulting".to_owned(), 3, 36000), ("Travel".to_owned(), 1, 4550)]);

    // Edits of the draft: one line changed, one dropped, one added.
    let consulting = invoice["lines"][0]["id"].clone();
    let lines = json!([{"id": consulting, "description": "Consulting", "quantity": 4, "unit_amount": 12000}, line("Hosting", 1, 2000)]);
    let edited = stack.patch(&id, json!({"lines": lines, "description": "November, revised"})).await;
    stack.wait_synced(&id, edited["version"].as_i64().unwrap()).await;
    let remote = stack.remote(&id);
    assert_eq!(billed(&remote), [("Consulting".to_owned(), 4, 48000), ("Hosting".to_owned(), 1, 2000)]);
    assert_eq!(remote["description"], "November, revised");

    // Finalized: Stripe's number and amount due come back, read only.
    let finalized = stack.command(&id, "finalize").await;
    stack.wait_synced(&id, finalized["version"].as_i64().unwrap()).await;
    let remote = stack.remote(&id);
    assert_eq!(remote["status"], "open");
    let shown = stack.wait_local(&id, "Stripe's number", |i| i["number"] == remote["number"] && !i["number"].is_null()).await;
    assert_eq!((shown["total"].as_i64(), shown["amount_due"].as_i64()), (Some(50000), Some(50000)));
    assert!(shown["hosted_invoice_url"].as_str().is_some_and(|u| u.starts_with("https://")), "{shown}");
    assert_eq!(shown["version"], finalized["version"], "figures from Stripe make no new version");

    // Paid outside Stripe.
    let paid = stack.command(&id, "pay").await;
    stack.wait_synced(&id, paid["version"].as_i64().unwrap()).await;
    assert_eq!(stack.remote(&id)["status"], "paid");
    let shown = stack.wait_local(&id, "amount paid", |i| i["amount_paid"].as_i64() == Some(50000)).await;
    assert_eq!((shown["status"].as_str(), shown["amount_remaining"].as_i64()), (Some("paid"), Some(0)));

    // Our own writes, coming back as events, change nothing and go nowhere.
    let writes = stack.writes();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(stack.local(&id).await["version"], paid["version"], "no echo here");
    assert_eq!(stack.writes(), writes, "no echo to Stripe");
    assert_eq!(stack.remotes(&id).len(), 1);
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn void_uncollectible_and_a_deleted_draft_reach_stripe() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Bo").await;
    let new = || json!({"customer_id": customer, "currency": "usd", "lines": [line("Support", 1, 9900)]});
    let (voided, written_off, dropped) = (stack.invoice(new()).await, stack.invoice(new()).await, stack.invoice(new()).await);
    let [voided, written_off, dropped] = [&voided, &written_off, &dropped].map(|i| i["id"].as_str().unwrap().to_owned());

    // Finalized, then voided.
    stack.command(&voided, "finalize").await;
    let last = stack.command(&voided, "void").await;
    stack.wait_synced(&voided, last["version"].as_i64().unwrap()).await;
    assert_eq!(stack.remote(&voided)["status"], "void");

    // Uncollectible, then paid after all.
    stack.command(&written_off, "finalize").await;
    let uncollectible = stack.command(&written_off, "mark-uncollectible").await;
    stack.wait_synced(&written_off, uncollectible["version"].as_i64().unwrap()).await;
    assert_eq!(stack.remote(&written_off)["status"], "uncollectible");
    let paid = stack.command(&written_off, "pay").await;
    stack.wait_synced(&written_off, paid["version"].as_i64().unwrap()).await;
    assert_eq!(stack.remote(&written_off)["status"], "paid");

    // A draft deleted here is deleted in Stripe.
    let external = stack.wait_synced(&dropped, 1).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    let response = stack.http.delete(format!("{}/invoices/{dropped}", stack.api)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    testkit::wait_for("the draft deleted in Stripe", crate::support::WAIT, || async {
        stack.stripe.invoice(&external).is_none().then_some(())
    })
    .await;
    assert_eq!(stack.stripe.invoices().len(), 2);
    stack.cleanup().await;
}
