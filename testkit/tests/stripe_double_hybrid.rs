//! The double with invoices in memory behind localstripe (the soak's
//! Stripe): customers are the emulator's, invoices memory's, and the event
//! list read to its end holds both.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use std::collections::HashSet;

use stripe_memory::{id, Api};
use testkit::{LocalStripe, StripeDouble};

#[tokio::test]
async fn customers_stay_in_the_emulator_and_invoices_with_their_events_in_memory() {
    let emulator = LocalStripe::start().await;
    let double = StripeDouble::start(Some(emulator.url.clone())).unwrap();
    double.invoices_in_memory();
    // localstripe wants a key; memory takes any.
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", "Bearer sk_test_x".parse().unwrap());
    let api = Api { http: reqwest::Client::builder().default_headers(headers).build().unwrap(), base: double.url.clone() };
    let customer = api.customer("Ada").await;
    let invoice = api.draft(&customer, &[("description", "Licence")]).await;
    api.item(&customer, &invoice, "Seat", 2, 1500).await;
    api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;

    // The customer is the emulator's, the invoice is not.
    let direct = reqwest::Client::new();
    let at_emulator = |path: String| direct.get(format!("{}/v1{path}", emulator.url)).bearer_auth("sk_test_x").send();
    assert_eq!(at_emulator(format!("/customers/{customer}")).await.unwrap().status(), 200);
    assert_eq!(double.invoice(&invoice).unwrap()["status"], "open");
    assert_eq!(double.invoice(&invoice).unwrap()["total"], 3000);

    // Pages of two, walked with starting_after: every event of both, once.
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = after.as_ref().map_or("/events?limit=2".to_owned(), |a| format!("/events?limit=2&starting_after={a}"));
        let (status, page) = api.get(&query).await;
        assert_eq!(status, 200, "{page}");
        for event in page["data"].as_array().unwrap() {
            seen.push((id(event), event["type"].as_str().unwrap().to_owned()));
        }
        after = seen.last().map(|(id, _)| id.clone());
        if page["has_more"] != true {
            break;
        }
    }
    let kinds: HashSet<&str> = seen.iter().map(|(_, kind)| kind.as_str()).collect();
    for kind in ["customer.created", "invoice.created", "invoice.finalized", "invoiceitem.created"] {
        assert!(kinds.contains(kind), "{kind} missing from {seen:?}");
    }
    let ids: HashSet<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), seen.len(), "an event listed twice: {seen:?}");
    let memory_event = seen.iter().find(|(_, kind)| kind == "invoice.finalized").unwrap();
    let (status, event) = api.get(&format!("/events/{}", memory_event.0)).await;
    assert_eq!((status, event["type"].as_str()), (200, Some("invoice.finalized")));
}
