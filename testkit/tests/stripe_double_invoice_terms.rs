//! A `send_invoice` invoice's terms in the Stripe double, as Stripe keeps
//! them: the object shows `due_date`, never `days_until_due` (a request
//! parameter only); days count from creation, or from finalization under
//! the control that plays what Stripe's documents leave open.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use stripe_memory::Api;
use testkit::StripeDouble;

const DAY: i64 = 86_400;

#[tokio::test]
async fn the_invoice_shows_a_due_date_counted_from_creation_and_no_days() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Terms").await;
    let invoice = api.draft(&customer, &[("collection_method", "send_invoice"), ("days_until_due", "30")]).await;
    api.item(&customer, &invoice, "Work", 1, 5000).await;

    let (_, draft) = api.get(&format!("/invoices/{invoice}")).await;
    let created = draft["created"].as_i64().unwrap();
    assert!(draft.get("days_until_due").is_none(), "not a field of Stripe's invoice: {draft}");
    assert_eq!(draft["due_date"].as_i64(), Some(created + 30 * DAY));

    let shorter = api.ok(&format!("/invoices/{invoice}"), &[("days_until_due", "10")]).await;
    assert_eq!(shorter["due_date"].as_i64(), Some(created + 10 * DAY), "counted from creation, not from the edit");
    let open = api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    assert_eq!(open["due_date"].as_i64(), Some(created + 10 * DAY), "kept at finalization");
    let (status, locked) = api.post(&format!("/invoices/{invoice}"), &[("days_until_due", "5")]).await;
    assert_eq!(status, 400, "terms are a draft's only: {locked}");
}

#[tokio::test]
async fn under_the_control_days_count_again_from_finalization() {
    let double = StripeDouble::start(None).unwrap();
    double.due_dates_from_finalization(true);
    let api = Api::of(&double);
    let customer = api.customer("Later").await;
    let invoice = api.draft(&customer, &[("collection_method", "send_invoice"), ("days_until_due", "14")]).await;
    api.item(&customer, &invoice, "Work", 1, 5000).await;

    let open = api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    let finalized = open["status_transitions"]["finalized_at"].as_i64().unwrap();
    assert_eq!(open["due_date"].as_i64(), Some(finalized + 14 * DAY));
}

#[tokio::test]
async fn terms_are_days_or_a_date_and_only_with_send_invoice() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Dates").await;
    let due = (chrono::Utc::now().timestamp() + 20 * DAY).to_string();
    let dated = api.draft(&customer, &[("collection_method", "send_invoice"), ("due_date", &due)]).await;
    let (_, dated) = api.get(&format!("/invoices/{dated}")).await;
    assert_eq!(dated["due_date"].as_i64().map(|d| d.to_string()), Some(due.clone()));

    let send = ("collection_method", "send_invoice");
    let both = api.post("/invoices", &[("customer", &customer), send, ("days_until_due", "3"), ("due_date", &due)]).await;
    let none = api.post("/invoices", &[("customer", &customer), send]).await;
    let charging = api.post("/invoices", &[("customer", &customer), ("days_until_due", "3")]).await;
    for (status, body) in [&both, &none, &charging] {
        assert_eq!(*status, 400, "{body}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
    }
    assert_eq!(none.1["error"]["code"], "parameter_missing");
}
