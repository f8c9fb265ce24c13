//! The Stripe double's invoices in memory mode, over real HTTP: the life
//! cycle Stripe documents (INVOICE_FACTS.md), which localstripe cannot
//! play (no one-off invoices, no finalize, no line endpoints), so these
//! tests use the double alone.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use stripe_memory::{id, Api};
use testkit::StripeDouble;

#[tokio::test]
async fn a_draft_gets_lines_edits_and_is_finalized_and_paid_out_of_band() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Ada").await;
    let form = [
        ("description", "Licence"),
        ("collection_method", "send_invoice"),
        ("days_until_due", "30"),
        ("metadata[catalog_sync_id]", "ours-1"),
    ];
    let invoice = api.draft(&customer, &form).await;

    let seats = [
        ("customer", customer.as_str()),
        ("invoice", &invoice),
        ("description", "Seats"),
        ("quantity", "3"),
        ("unit_amount_decimal", "1500"),
        ("metadata[line]", "l1"),
    ];
    let seats = id(&api.ok("/invoiceitems", &seats).await);
    let support = id(&api
        .ok("/invoiceitems", &[("customer", customer.as_str()), ("invoice", &invoice), ("description", "Support"), ("amount", "2000")])
        .await);
    let (_, two_lines) = api.get(&format!("/invoices/{invoice}")).await;
    let edited = api.ok(&format!("/invoiceitems/{seats}"), &[("quantity", "2")]).await;
    let (deleted_status, deleted) = api.delete(&format!("/invoiceitems/{support}")).await;
    let (gone, _) = api.get(&format!("/invoiceitems/{support}")).await;
    api.ok(&format!("/invoices/{invoice}"), &[("description", "Licence 2026"), ("metadata[note]", "signed")]).await;
    let (_, draft) = api.get(&format!("/invoices/{invoice}")).await;
    let open = api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    let paid = api.ok(&format!("/invoices/{invoice}/pay"), &[("paid_out_of_band", "true")]).await;

    let lines = &two_lines["lines"];
    assert_eq!(
        (lines["total_count"].as_i64(), lines["has_more"].as_bool(), two_lines["total"].as_i64()),
        (Some(2), Some(false), Some(6500))
    );
    let first = &lines["data"][0];
    assert_eq!(
        (first["object"].as_str(), first["description"].as_str(), first["amount"].as_i64()),
        (Some("line_item"), Some("Seats"), Some(4500))
    );
    assert_eq!(first["metadata"]["line"], "l1");
    assert_eq!(first["parent"]["type"], "invoice_item_details");
    assert_eq!(first["parent"]["invoice_item_details"]["invoice_item"], seats.as_str());
    assert!(first.get("invoice_item").is_none(), "parent only, as the pinned version: {first}");
    assert_eq!((first["quantity"].as_i64(), first["quantity_decimal"].as_str()), (Some(3), Some("3")));
    assert_eq!(first["pricing"]["unit_amount_decimal"], "1500");
    assert_eq!(lines["data"][1]["description"], "Support");
    assert_eq!((edited["quantity"].as_i64(), edited["amount"].as_i64()), (Some(2), Some(3000)));
    assert_eq!((deleted_status, deleted["deleted"].as_bool(), gone), (200, Some(true), 404));
    assert_eq!((draft["status"].as_str(), draft["number"].as_str(), draft["total"].as_i64()), (Some("draft"), None, Some(3000)));
    assert_eq!(draft["lines"]["total_count"], 1);
    assert_eq!(draft["description"], "Licence 2026");
    assert_eq!((draft["metadata"]["catalog_sync_id"].as_str(), draft["metadata"]["note"].as_str()), (Some("ours-1"), Some("signed")));
    assert_eq!(open["status"], "open");
    assert!(open["number"].as_str().unwrap().starts_with("DBLINV-"));
    assert_eq!((open["amount_due"].as_i64(), open["amount_remaining"].as_i64()), (Some(3000), Some(3000)));
    assert_eq!(open["hosted_invoice_url"], format!("https://invoice.stripe.test/i/{invoice}"));
    assert!(open["status_transitions"]["finalized_at"].is_i64());
    assert_eq!(
        (paid["status"].as_str(), paid["amount_paid"].as_i64(), paid["amount_remaining"].as_i64()),
        (Some("paid"), Some(3000), Some(0))
    );
    assert_eq!(paid["number"], open["number"]);
    double.stop().await;
}

#[tokio::test]
async fn open_invoices_are_voided_or_marked_uncollectible_and_uncollectible_ones_paid_or_voided() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Grace").await;
    let (voided, written_off, recovered) = (api.open(&customer).await, api.open(&customer).await, api.open(&customer).await);

    let void = api.ok(&format!("/invoices/{voided}/void"), &[]).await;
    let uncollectible = api.ok(&format!("/invoices/{written_off}/mark_uncollectible"), &[]).await;
    let then_void = api.ok(&format!("/invoices/{written_off}/void"), &[]).await;
    api.ok(&format!("/invoices/{recovered}/mark_uncollectible"), &[]).await;
    let paid = api.ok(&format!("/invoices/{recovered}/pay"), &[("paid_out_of_band", "true")]).await;

    assert_eq!(void["status"], "void");
    assert!(void["status_transitions"]["voided_at"].is_i64());
    assert_eq!(uncollectible["status"], "uncollectible");
    assert!(uncollectible["status_transitions"]["marked_uncollectible_at"].is_i64());
    assert_eq!(then_void["status"], "void");
    assert_eq!((paid["status"].as_str(), paid["amount_paid"].as_i64()), (Some("paid"), Some(1000)));
    double.stop().await;
}

#[tokio::test]
async fn finalizing_an_invoice_of_nothing_pays_it_at_once() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let invoice = api.draft(&api.customer("Zero").await, &[]).await;
    let before = double.events().len();

    let finalized = api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;

    assert_eq!((finalized["status"].as_str(), finalized["amount_due"].as_i64()), (Some("paid"), Some(0)));
    assert!(finalized["number"].is_string());
    assert_eq!(Api::kinds(&double, before), ["invoice.finalized", "invoice.paid", "invoice.updated"]);
    double.stop().await;
}

/// An expected status, the answer, and the error's code and param.
type Case<'a> = (u16, (u16, serde_json::Value), &'a str, Option<&'a str>);

#[tokio::test]
async fn unknown_parameters_and_missing_objects_are_refused_as_stripe_refuses_them() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Strict").await;
    let invoice = api.draft(&customer, &[]).await;
    let update = format!("/invoices/{invoice}");

    let cases: Vec<Case> = vec![
        (400, api.post("/invoices", &[("customer", &customer), ("colour", "red")]).await, "parameter_unknown", Some("colour")),
        (400, api.post(&update, &[("currency", "eur")]).await, "parameter_unknown", Some("currency")),
        (400, api.post(&update, &[("customer", &customer)]).await, "parameter_unknown", Some("customer")),
        (
            400,
            api.post(&update, &[("pending_invoice_items_behavior", "include")]).await,
            "parameter_unknown",
            Some("pending_invoice_items_behavior"),
        ),
        (
            400,
            api.post("/invoiceitems", &[("customer", &customer), ("amount", "5"), ("price", "p")]).await,
            "parameter_unknown",
            Some("price"),
        ),
        (400, api.post("/invoices", &[("customer", "cus_nope")]).await, "resource_missing", Some("customer")),
        (
            400,
            api.post("/invoices", &[("customer", &customer), ("collection_method", "send_invoice")]).await,
            "parameter_missing",
            Some("days_until_due"),
        ),
        (404, api.get("/invoices/in_nope").await, "resource_missing", Some("id")),
        (404, api.get("/customers/cus_nope").await, "resource_missing", Some("id")),
    ];

    for (expected, (status, body), code, param) in &cases {
        assert_eq!(status, expected, "{body}");
        assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
        assert_eq!((body["error"]["code"].as_str(), body["error"]["param"].as_str()), (Some(*code), *param), "{body}");
    }
    let (status, unknown) = api.post("/invoices", &[("customer", &customer), ("colour", "red")]).await;
    assert_eq!((status, unknown["error"]["message"].as_str()), (400, Some("Received unknown parameter: colour")));
    let message = |case: usize| cases[case].1 .1["error"]["message"].as_str().unwrap().to_owned();
    assert_eq!(message(5), "No such customer: 'cus_nope'");
    assert_eq!(message(7), "No such invoice: 'in_nope'");
    assert_eq!(message(8), "No such customer: 'cus_nope'");
    assert_eq!(double.invoices().len(), 1, "nothing refused was made");
    double.stop().await;
}
