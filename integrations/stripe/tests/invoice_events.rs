//! How an invoice event is read, with no call to Stripe: which events are
//! about an invoice, and which ids are never taken for one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use stripe_integration::{StripeInvoiceSource, StripeInvoices};
use sync_core::inward::{Envelope, Source};

fn source() -> StripeInvoiceSource {
    // Nothing listens there: decoding makes no call.
    let api = StripeInvoices::new("http://127.0.0.1:9", "sk_test_x", Duration::from_secs(1), None).unwrap();
    StripeInvoiceSource::new(Arc::new(api))
}

fn envelope(kind: &str) -> Envelope {
    Envelope { id: "evt_1".into(), kind: kind.into(), created: 1_800_000_000 }
}

#[test]
fn invoice_events_are_read_and_others_left_to_other_catalogs() {
    let source = source();
    let invoice = json!({"data": {"object": {"id": "in_1", "object": "invoice", "customer": "cus_1", "status": "open",
        "currency": "usd", "metadata": {"catalog_sync_id": "01a1fd2c-0a23-77d9-beaf-fcacee796d7e", "catalog_sync_version": "3"},
        "lines": {"data": [{"id": "il_1", "amount": 3000, "quantity": 2, "description": "Hours", "metadata": {}}]}}}});

    let read = source.decode(&envelope("invoice.finalized"), &invoice).unwrap().expect("about an invoice");
    assert_eq!((read.external_id.as_str(), read.written_version, read.deleted), ("in_1", 3, false));
    assert_eq!(read.our_id.map(|id| id.to_string()).as_deref(), Some("01a1fd2c-0a23-77d9-beaf-fcacee796d7e"));
    assert_eq!((read.values.lines.len(), read.values.lines[0].unit_amount), (1, 1500));
    assert!(source.decode(&envelope("invoice.deleted"), &invoice).unwrap().unwrap().deleted);
    assert!(source.decode(&envelope("customer.updated"), &invoice).unwrap().is_none());
    assert!(source.decode(&envelope("invoiceitem.created"), &invoice).unwrap().is_none());
    assert!(source.decode(&envelope("invoice.upcoming"), &json!({"data": {"object": {"object": "invoice"}}})).unwrap().is_none());
}

#[test]
fn an_id_stripe_never_makes_is_refused_not_put_into_a_path() {
    let source = source();
    for id in ["../customers/cus_1", "in_1?expand=x", "in 1", "in_1/pay"] {
        let event = json!({"data": {"object": {"id": id, "object": "invoice"}}});
        let refused = source.decode(&envelope("invoice.updated"), &event);
        assert!(refused.as_ref().is_err_and(|e| e.contains("not a Stripe invoice id")), "{id}: {refused:?}");
    }
}
