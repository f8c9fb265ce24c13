//! What Stripe would refuse is refused here first, with a 422 that says
//! why: metadata that leaves no room for the sync's two keys, and a
//! currency Stripe does not take.

use serde_json::{json, Map, Value};

use crate::invoices::{draft, invoice_rows};
use crate::support::{assert_error, Api};

fn keys(range: std::ops::Range<usize>) -> Map<String, Value> {
    range.map(|i| (format!("key_{i}"), json!("value"))).collect()
}

/// Stripe allows 50 metadata keys in all (docs.stripe.com/metadata) and
/// the sync adds `catalog_sync_id` and `catalog_sync_version` to every
/// invoice: 48 of the product's own go, a 49th is refused, on a create
/// and on an edit alike, and nothing is written or queued.
#[tokio::test]
async fn a_49th_metadata_key_is_refused_saying_the_sync_keeps_two() {
    let api = Api::start().await;
    let (customer, _) = draft(&api).await;
    let create = |metadata: Map<String, Value>| json!({"customer_id": customer, "currency": "usd", "metadata": metadata});

    let full = api.post("/invoices", &create(keys(0..48))).await;
    assert_eq!(full.status(), 201, "48 keys of our own fit");
    let full: Value = full.json().await.unwrap();
    assert_eq!(full["metadata"].as_object().map(Map::len), Some(48));

    let (rows, queued) = (invoice_rows(&api).await, api.outbox_rows().await);
    let error = assert_error(api.post("/invoices", &create(keys(0..49))).await, 422, "validation_failed").await;
    assert_eq!(error["field"], "metadata", "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("48") && message.contains("catalog_sync_id"), "the message says why: {message}");

    let url = format!("{}/invoices/{}", api.base, full["id"].as_str().unwrap());
    let one_more = json!({"metadata": {"key_48": "value"}});
    let error = assert_error(api.http.patch(&url).json(&one_more).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(error["field"], "metadata", "{error}");
    assert_eq!((invoice_rows(&api).await, api.outbox_rows().await), (rows, queued), "nothing written, nothing queued");

    // Replacing a key with another keeps 48: that goes.
    let swap = json!({"metadata": {"key_0": null, "key_48": "value"}});
    assert_eq!(api.http.patch(&url).json(&swap).send().await.unwrap().status(), 200);
    api.cleanup().await;
}

/// Only the currencies Stripe supports (docs.stripe.com/currencies), in
/// any case; zero- and three-decimal ones among them.
#[tokio::test]
async fn only_a_currency_stripe_supports_is_taken() {
    let api = Api::start().await;
    let (customer, _) = draft(&api).await;
    let create = |currency: &str| json!({"customer_id": customer, "currency": currency});
    let rows = invoice_rows(&api).await;

    for unknown in ["abc", "xxx", "eek"] {
        let error = assert_error(api.post("/invoices", &create(unknown)).await, 422, "validation_failed").await;
        assert_eq!(error["field"], "currency", "{unknown}: {error}");
        assert!(error["message"].as_str().unwrap().contains("Stripe"), "{unknown}: {error}");
    }
    assert_eq!(invoice_rows(&api).await, rows, "nothing written");

    for known in ["JPY", "kwd", "eur", "sle"] {
        let response = api.post("/invoices", &create(known)).await;
        assert_eq!(response.status(), 201, "{known}");
        let made: Value = response.json().await.unwrap();
        assert_eq!(made["currency"], known.to_ascii_lowercase());
    }
    api.cleanup().await;
}

/// A three-decimal currency's amounts end in 0 (docs.stripe.com/currencies:
/// "the least-significant (last) digit" must be 0), on a create and on an
/// edit of the lines alike.
#[tokio::test]
async fn a_three_decimal_amount_must_end_in_zero() {
    let api = Api::start().await;
    let (customer, _) = draft(&api).await;
    let body = |unit_amount: i64| json!({"customer_id": customer, "currency": "kwd", "lines": [{"description": "Fee", "quantity": 1, "unit_amount": unit_amount}]});

    let error = assert_error(api.post("/invoices", &body(1_255)).await, 422, "validation_failed").await;
    assert_eq!(error["field"], "lines[0].unit_amount", "{error}");
    let made = api.post("/invoices", &body(1_250)).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();

    let url = format!("{}/invoices/{}", api.base, made["id"].as_str().unwrap());
    let edit = json!({"lines": [{"description": "Fee", "unit_amount": 1_001}]});
    let error = assert_error(api.http.patch(&url).json(&edit).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(error["field"], "lines[0].unit_amount", "{error}");
    api.cleanup().await;
}
