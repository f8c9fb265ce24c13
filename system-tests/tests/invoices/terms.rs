//! `send_invoice` invoices both ways. Stripe's invoice carries a `due_date`,
//! never `days_until_due` (a request parameter only), so the terms are
//! read from the date: a customer paying on Stripe's page comes in, a
//! reconcile finds both sides agreeing, and a dashboard invoice due on a
//! date comes in with its days. Under both readings of when Stripe counts
//! the days from (creation, as documented, or finalization).

use std::time::Duration;

use serde_json::json;
use testkit::{Calls, Fault};
use webhook_service::reconcile::Changes;

use crate::support::{line, Billing};

const DAY: i64 = 86_400;

async fn paid_on_stripes_page_comes_in(from_finalization: bool) {
    let stack = Billing::running("poll").await;
    stack.stripe.due_dates_from_finalization(from_finalization);
    let customer = stack.customer("Ona").await;
    let body = json!({"customer_id": customer, "currency": "eur", "collection_method": "send_invoice", "days_until_due": 30,
                      "lines": [line("Consulting", 4, 12500)]});
    let id = stack.invoice(body).await["id"].as_str().unwrap().to_owned();
    stack.wait_synced(&id, 1).await;
    let draft = stack.remote(&id);
    assert_eq!(draft["collection_method"], "send_invoice");
    assert_eq!(draft["due_date"].as_i64(), Some(draft["created"].as_i64().unwrap() + 30 * DAY));
    // Finalized a while after it was made, so that the two readings differ.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let version = stack.command(&id, "finalize").await["version"].as_i64().unwrap();
    let external = stack.wait_synced(&id, version).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    let writes = stack.writes();

    // Act: the customer pays on Stripe's hosted page.
    assert_eq!(stack.stripe.dashboard("POST", &format!("/v1/invoices/{external}/pay"), &[]).0, 200);

    // Assert: here as paid, its terms as they were, nothing sent back.
    let paid = stack.wait_local(&id, "the payment", |i| i["status"] == "paid").await;
    assert_eq!((paid["collection_method"].as_str(), paid["days_until_due"].as_i64()), (Some("send_invoice"), Some(30)), "{paid}");
    assert_eq!(paid["sync"]["stripe"]["status"], "synced");
    assert!(paid["sync"]["stripe"]["last_error"].is_null(), "{paid}");
    let again = wiring::reconciler(&stack.settings).unwrap().run(true, &()).await.unwrap();
    assert_eq!((again.catalog, again.remote), (Changes::default(), Changes::default()), "both sides agree: {again:?}");
    assert_eq!(stack.writes(), writes, "nothing bounced back to Stripe");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_invoice_invoice_paid_on_stripes_page_comes_in_paid() {
    paid_on_stripes_page_comes_in(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_invoice_invoice_paid_on_stripes_page_comes_in_paid_when_days_count_from_finalization() {
    paid_on_stripes_page_comes_in(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_invoice_due_on_a_date_comes_in_with_its_days_and_an_edit_here_sends_no_terms() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Pia").await;
    let in_stripe = stack.customer_in_stripe(&customer).await;
    let due = (chrono::Utc::now().timestamp() + 10 * DAY + 3_600).to_string();
    let form =
        [("customer", in_stripe.as_str()), ("collection_method", "send_invoice"), ("due_date", due.as_str()), ("auto_advance", "false")];
    let (status, made) = stack.stripe.dashboard("POST", "/v1/invoices", &form);
    assert_eq!(status, 200, "{made}");
    let made = made["id"].as_str().unwrap().to_owned();

    let local = testkit::wait_for("the dashboard's invoice here", crate::support::WAIT, || async {
        let page = stack.get(&format!("/invoices?customer_id={customer}")).await;
        page["data"].as_array().and_then(|d| d.first().cloned())
    })
    .await;
    assert_eq!((local["collection_method"].as_str(), local["days_until_due"].as_i64()), (Some("send_invoice"), Some(11)), "rounded up");
    let id = local["id"].as_str().unwrap().to_owned();
    let edited = stack.patch(&id, json!({"description": "Dated"})).await;
    stack.wait_synced(&id, edited["version"].as_i64().unwrap()).await;

    let path = format!("/v1/invoices/{made}");
    let sent: Vec<_> = stack.stripe.log().into_iter().filter(|c| c.method == "POST" && c.path == path).collect();
    assert!(!sent.is_empty() && sent.iter().all(|c| c.form.iter().all(|(k, _)| k != "days_until_due")), "{sent:?}");
    assert_eq!(stack.stripe.invoice(&made).unwrap()["due_date"].as_i64().map(|d| d.to_string()), Some(due), "its date kept");
    stack.cleanup().await;
}

/// The answer to the fields' update of a draft lost after it landed: the
/// resumed converge sends nothing Stripe holds already, and never the same
/// key with other parameters (Stripe's 400 `idempotency_error`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_a_drafts_fields_is_resumed_without_a_key_reused_for_other_parameters() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Quin").await;
    let body = json!({"customer_id": customer, "currency": "usd", "collection_method": "send_invoice", "days_until_due": 14,
                      "lines": [line("Audit", 1, 40000)]});
    let id = stack.invoice(body).await["id"].as_str().unwrap().to_owned();
    let external = stack.wait_synced(&id, 1).await["sync"]["stripe"]["external_id"].as_str().unwrap().to_owned();
    stack.stripe.fault(Calls::new("POST", &format!("/v1/invoices/{external}")), Fault::LoseAnswer, Some(1));

    let edited = stack.patch(&id, json!({"description": "Audit, second pass", "days_until_due": 21})).await;
    let synced = stack.wait_synced(&id, edited["version"].as_i64().unwrap()).await;

    assert!(synced["sync"]["stripe"]["last_error"].is_null(), "{synced}");
    let refused: Vec<_> = stack.stripe.log().into_iter().filter(|c| c.status == 400).collect();
    assert!(refused.is_empty(), "{refused:?}");
    let remote = stack.remote(&id);
    assert_eq!(remote["description"], "Audit, second pass");
    assert_eq!(remote["due_date"].as_i64(), Some(remote["created"].as_i64().unwrap() + 21 * DAY));
    stack.cleanup().await;
}
