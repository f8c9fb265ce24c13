//! The Stripe double's events and test controls in memory mode, over real
//! HTTP: the events Stripe sends for each change, a declined card, keys
//! and faults on the invoice paths, a person in the dashboard, and when an
//! invoice had its lines. The double alone: localstripe sends two kinds of
//! invoice event only.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use serde_json::Value;
use stripe_memory::{id, Api};
use testkit::{Calls, Fault, StripeDouble};

#[tokio::test]
async fn every_change_records_its_events_in_order_with_the_object_as_it_became() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Ada").await;
    let invoice = api.draft(&customer, &[]).await;
    let item = api.item(&customer, &invoice, "Seat", 2, 500).await;
    api.ok(&format!("/invoiceitems/{item}"), &[("description", "Seats")]).await;
    let extra = api.item(&customer, &invoice, "Extra", 1, 100).await;
    api.delete(&format!("/invoiceitems/{extra}")).await;
    api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    api.ok(&format!("/invoices/{invoice}/pay"), &[("paid_out_of_band", "true")]).await;

    let events = double.events();
    let (_, listed) = api.get("/events?limit=100").await;
    let (_, finalized) = api.get("/events?type=invoice.finalized").await;
    let (_, invoice_family) = api.get("/events?type=invoice.*&limit=3").await;
    let (_, one) = api.get(&format!("/events/{}", id(&events[1]))).await;

    let kinds = Api::kinds(&double, 0);
    let expected = [
        "customer.created",
        "invoice.created",
        "invoiceitem.created",
        "invoice.updated",
        "invoiceitem.updated",
        "invoice.updated",
        "invoiceitem.created",
        "invoice.updated",
        "invoiceitem.deleted",
        "invoice.updated",
        "invoice.finalized",
        "invoice.updated",
        "invoice.paid",
        "invoice.updated",
    ];
    assert_eq!(kinds, expected);
    let newest_first: Vec<String> = listed["data"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(newest_first, events.iter().rev().map(id).collect::<Vec<_>>());
    assert_eq!(finalized["data"].as_array().unwrap().len(), 1);
    assert_eq!(invoice_family["data"].as_array().unwrap().len(), 3);
    assert_eq!(invoice_family["has_more"], true);
    assert_eq!(one, events[1]);
    let event = &events[3];
    assert_eq!((event["object"].as_str(), event["livemode"].as_bool()), (Some("event"), Some(false)));
    assert_eq!(event["api_version"], "2025-03-31.basil");
    assert!(event["created"].is_i64() && id(event).starts_with("evt_"));
    assert_eq!(event["data"]["object"]["lines"]["data"][0]["description"], "Seat", "the invoice as it was then");
    assert_eq!(event["data"]["previous_attributes"]["total"], 0);
    assert_eq!(events[12]["data"]["object"]["status"], "paid");
    double.stop().await;
}

#[tokio::test]
async fn a_declined_charge_leaves_the_invoice_open_and_sends_payment_failed() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let invoice = api.open(&api.customer("Card").await).await;
    double.fail_next_payment();
    let before = double.events().len();

    let (status, declined) = api.post(&format!("/invoices/{invoice}/pay"), &[]).await;
    let after_decline = double.invoice(&invoice).unwrap();
    let failed_kinds = Api::kinds(&double, before);
    let paid = api.ok(&format!("/invoices/{invoice}/pay"), &[]).await;

    assert_eq!(status, 402);
    assert_eq!((declined["error"]["type"].as_str(), declined["error"]["code"].as_str()), (Some("card_error"), Some("card_declined")));
    assert_eq!((after_decline["status"].as_str(), after_decline["amount_paid"].as_i64()), (Some("open"), Some(0)));
    assert_eq!(failed_kinds, ["invoice.payment_failed", "invoice.updated"]);
    assert_eq!(paid["status"], "paid");
    assert_eq!(
        Api::kinds(&double, before + 2),
        ["invoice.paid", "invoice.payment_succeeded", "invoice.updated"],
        "a charge that went through"
    );
    double.stop().await;
}

#[tokio::test]
async fn a_repeated_key_on_an_invoice_item_makes_one_line_and_faults_apply_to_invoice_paths() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Keys").await;
    let invoice = api.draft(&customer, &[]).await;
    let form = [("customer", customer.as_str()), ("invoice", &invoice), ("amount", "900"), ("description", "Once")];
    let finalize = format!("/v1/invoices/{invoice}/finalize");
    double.fault(Calls::new("POST", &finalize), Fault::Fail(503), Some(1));

    let first = api.post_keyed("/invoiceitems", &form, "line-1").await;
    let again = api.post_keyed("/invoiceitems", &form, "line-1").await;
    let (failed, _) = api.post(&format!("/invoices/{invoice}/finalize"), &[]).await;
    let after_fault = double.invoice(&invoice).unwrap();

    assert_eq!((first.status().as_u16(), again.status().as_u16()), (200, 200));
    assert_eq!(again.headers()["Idempotent-Replayed"], "true");
    assert_eq!(first.json::<Value>().await.unwrap(), again.json::<Value>().await.unwrap());
    assert_eq!(after_fault["lines"]["total_count"], 1);
    assert_eq!(double.replays(), 1);
    assert_eq!((failed, after_fault["status"].as_str()), (503, Some("draft")), "a failed call never landed");
    double.stop().await;
}

#[tokio::test]
async fn the_dashboards_calls_send_events_but_stay_out_of_our_log() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let invoice = api.open(&api.customer("Desk").await).await;
    let ours = double.log().len();

    let (status, edited) = double.dashboard("POST", &format!("/v1/invoices/{invoice}"), &[("description", "Edited by a person")]);
    let (paid, _) = double.dashboard("POST", &format!("/v1/invoices/{invoice}/pay"), &[("paid_out_of_band", "true")]);
    let (_, listed) = double.dashboard("GET", "/v1/invoices?status=paid", &[("limit", "1")]);

    assert_eq!((status, edited["description"].as_str(), paid), (200, Some("Edited by a person"), 200));
    assert_eq!(listed["data"][0]["id"], invoice.as_str());
    assert_eq!(double.log().len(), ours, "the log keeps our calls only");
    assert_eq!(double.dashboard_log().len(), 3);
    assert_eq!(Api::kinds(&double, 0).last().map(String::as_str), Some("invoice.updated"));
    assert!(Api::kinds(&double, 0).contains(&"invoice.paid".to_owned()));
    double.stop().await;
}

#[tokio::test]
async fn invoice_lines_at_tells_when_our_invoice_first_had_n_lines() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Lag").await;
    let invoice = api.draft(&customer, &[("metadata[catalog_sync_id]", "ours-7")]).await;
    api.item(&customer, &invoice, "One", 1, 100).await;
    let one_line = (double.invoice_lines_at("ours-7", 1), double.invoice_lines_at("ours-7", 2));

    api.item(&customer, &invoice, "Two", 1, 100).await;

    assert!(double.invoice_lines_at("ours-7", 0).is_some());
    assert!(one_line.0.is_some() && one_line.1.is_none());
    assert!(double.invoice_lines_at("ours-7", 2) >= one_line.0);
    assert_eq!(double.invoice_lines_at("ours-7", 1), one_line.0, "the first time, kept");
    assert_eq!(double.invoice_lines_at("not-ours", 0), None);
    double.stop().await;
}

#[tokio::test]
async fn customers_send_events_and_an_empty_metadata_value_removes_the_key() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let created = api.ok("/customers", &[("name", "Ada"), ("metadata[keep]", "1"), ("metadata[drop]", "2")]).await;
    let customer = id(&created);

    let updated = api.ok(&format!("/customers/{customer}"), &[("metadata[drop]", "")]).await;
    api.ok(&format!("/customers/{customer}"), &[("metadata[keep]", "1")]).await;
    let (deleted, _) = api.delete(&format!("/customers/{customer}")).await;
    let (missing, body) = api.post(&format!("/customers/{customer}"), &[("name", "Late")]).await;

    assert_eq!(updated["metadata"], serde_json::json!({"keep": "1"}));
    assert_eq!(Api::kinds(&double, 0), ["customer.created", "customer.updated", "customer.deleted"], "no event for no change");
    assert_eq!(double.events()[1]["data"]["previous_attributes"]["metadata"]["drop"], "2");
    assert_eq!((deleted, missing), (200, 404));
    assert_eq!(body["error"]["message"], format!("No such customer: '{customer}'"));
    assert_eq!(body["error"]["code"], "resource_missing");
    double.stop().await;
}
