//! Lines as Stripe holds them at the pinned API version: a quantity is a
//! decimal (`quantity_decimal`; the deprecated `quantity` truncates), and a
//! line names its item under `parent` only. A dashboard line of 1.5 hours
//! is never truncated: no line here can hold it, so the invoice is a
//! visible conflict and nothing changes on either side. A kept line edited
//! here in part keeps its other values.

use serde_json::json;

use crate::support::{line, Billing, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dashboard_line_of_a_fractional_quantity_is_a_conflict_not_truncated() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Uma").await;
    let in_stripe = stack.customer_in_stripe(&customer).await;
    let writes = stack.writes();
    let (_, made) = stack.stripe.dashboard("POST", "/v1/invoices", &[("customer", &in_stripe), ("auto_advance", "false")]);
    let made = made["id"].as_str().unwrap().to_owned();
    let item = [
        ("customer", in_stripe.as_str()),
        ("invoice", made.as_str()),
        ("description", "Hours"),
        ("quantity_decimal", "1.5"),
        ("unit_amount_decimal", "2000"),
    ];
    assert_eq!(stack.stripe.dashboard("POST", "/v1/invoiceitems", &item).0, 200);

    let conflict = testkit::wait_for("the conflict shown", WAIT, || async {
        let conflicts = stack.get("/sync/conflicts?entity_type=invoice").await;
        conflicts["data"].as_array().and_then(|d| d.iter().find(|c| c["external_id"] == made.as_str()).cloned())
    })
    .await;
    assert!(conflict["problem"].as_str().is_some_and(|p| p.contains("1.5")), "{conflict}");
    assert_eq!(stack.get(&format!("/invoices?customer_id={customer}")).await["data"], json!([]), "not taken in");
    let held = stack.stripe.invoice(&made).unwrap();
    assert_eq!((held["lines"]["data"][0]["quantity_decimal"].as_str(), held["total"].as_i64()), (Some("1.5"), Some(3000)));
    assert_eq!(stack.writes(), writes, "nothing written to Stripe");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_line_given_only_its_quantity_keeps_the_rest_here_and_in_stripe() {
    let stack = Billing::running("poll").await;
    let customer = stack.customer("Vic").await;
    let body = json!({"customer_id": customer, "currency": "usd", "lines": [line("Seats", 2, 1500)]});
    let created = stack.invoice(body).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let kept = created["lines"][0]["id"].clone();
    stack.wait_synced(&id, 1).await;

    let edited = stack.patch(&id, json!({"lines": [{"id": kept, "quantity": 4}]})).await;
    assert_eq!(edited["lines"], json!([{"id": kept, "description": "Seats", "quantity": 4, "unit_amount": 1500}]));
    stack.wait_synced(&id, 2).await;

    let remote = stack.remote(&id);
    let line = &remote["lines"]["data"][0];
    assert_eq!(
        (line["description"].as_str(), line["quantity_decimal"].as_str(), line["amount"].as_i64()),
        (Some("Seats"), Some("4"), Some(6000))
    );
    let sent: Vec<_> = stack.stripe.log().into_iter().filter(|c| c.path.starts_with("/v1/invoiceitems")).collect();
    assert!(sent.iter().all(|c| c.form.iter().all(|(k, _)| k != "quantity")), "quantity_decimal, not the deprecated quantity: {sent:?}");
    stack.cleanup().await;
}
