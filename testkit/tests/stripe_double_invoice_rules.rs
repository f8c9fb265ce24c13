//! The Stripe double's invoice rules in memory mode, over real HTTP: every
//! move Stripe's state machine does not allow is a 400 that changes
//! nothing, a finalized invoice keeps its money fields, and lists page as
//! Stripe's do. The double alone: localstripe has none of these rules.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use stripe_memory::{id, Api};
use testkit::StripeDouble;

#[tokio::test]
async fn every_wrong_transition_is_a_400_naming_the_status_and_changes_nothing() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Moves").await;
    let draft = api.draft(&customer, &[]).await;
    let open = api.open(&customer).await;
    let paid = api.open(&customer).await;
    api.ok(&format!("/invoices/{paid}/pay"), &[("paid_out_of_band", "true")]).await;
    let void = api.open(&customer).await;
    api.ok(&format!("/invoices/{void}/void"), &[]).await;
    let uncollectible = api.open(&customer).await;
    api.ok(&format!("/invoices/{uncollectible}/mark_uncollectible"), &[]).await;
    let wrong: Vec<(&str, &str, &str)> = vec![
        (&draft, "draft", "pay"),
        (&draft, "draft", "void"),
        (&draft, "draft", "mark_uncollectible"),
        (&open, "open", "finalize"),
        (&open, "open", "DELETE"),
        (&paid, "paid", "finalize"),
        (&paid, "paid", "pay"),
        (&paid, "paid", "void"),
        (&paid, "paid", "mark_uncollectible"),
        (&paid, "paid", "DELETE"),
        (&void, "void", "finalize"),
        (&void, "void", "pay"),
        (&void, "void", "void"),
        (&void, "void", "mark_uncollectible"),
        (&void, "void", "DELETE"),
        (&uncollectible, "uncollectible", "finalize"),
        (&uncollectible, "uncollectible", "mark_uncollectible"),
        (&uncollectible, "uncollectible", "DELETE"),
    ];
    let (invoices, events) = (double.invoices(), double.events().len());

    for (invoice, status, action) in wrong {
        let (code, body) = match action {
            "DELETE" => api.delete(&format!("/invoices/{invoice}")).await,
            "pay" => api.post(&format!("/invoices/{invoice}/pay"), &[("paid_out_of_band", "true")]).await,
            _ => api.post(&format!("/invoices/{invoice}/{action}"), &[]).await,
        };
        assert_eq!(code, 400, "{action} of a {status} invoice: {body}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.ends_with(&format!("this one is {status}.")), "{action}: {message}");
    }
    assert_eq!(double.invoices(), invoices, "no invoice changed");
    assert_eq!(double.events().len(), events, "no event was sent");
    let (_, refused) = api.post(&format!("/invoices/{paid}/pay"), &[]).await;
    assert_eq!(refused["error"]["message"], "You can only pay an invoice that is open or uncollectible; this one is paid.");
    double.stop().await;
}

#[tokio::test]
async fn a_finalized_invoice_keeps_its_lines_and_money_fields_but_takes_description_and_metadata() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Locked").await;
    let invoice = api.draft(&customer, &[]).await;
    let item = api.item(&customer, &invoice, "Seat", 1, 1000).await;
    api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    let finalized = double.invoice(&invoice).unwrap();

    let add = api.post("/invoiceitems", &[("customer", &customer), ("invoice", &invoice), ("amount", "5")]).await;
    let edit = api.post(&format!("/invoiceitems/{item}"), &[("quantity", "9")]).await;
    let remove = api.delete(&format!("/invoiceitems/{item}")).await;
    let method = api.post(&format!("/invoices/{invoice}"), &[("collection_method", "send_invoice"), ("days_until_due", "7")]).await;
    let unchanged = double.invoice(&invoice).unwrap();
    let allowed =
        api.ok(&format!("/invoices/{invoice}"), &[("description", "Paid by card"), ("metadata[k]", "v"), ("footer", "Thanks")]).await;

    assert_eq!((add.0, edit.0, remove.0, method.0), (400, 400, 400, 400));
    assert_eq!(method.1["error"]["code"], "invoice_not_editable");
    assert!(method.1["error"]["message"].as_str().unwrap().starts_with("Finalized invoices can't be updated in this way"));
    assert_eq!(unchanged, finalized);
    assert_eq!((allowed["description"].as_str(), allowed["metadata"]["k"].as_str()), (Some("Paid by card"), Some("v")));
    assert_eq!((allowed["footer"].as_str(), allowed["total"].as_i64()), (Some("Thanks"), Some(1000)));
    double.stop().await;
}

#[tokio::test]
async fn a_paid_invoice_takes_metadata_and_its_text_only_under_the_control() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let invoice = api.open(&api.customer("Settled").await).await;
    api.ok(&format!("/invoices/{invoice}/pay"), &[("paid_out_of_band", "true")]).await;

    let (status, refused) = api.post(&format!("/invoices/{invoice}"), &[("description", "Later")]).await;
    let tagged = api.ok(&format!("/invoices/{invoice}"), &[("metadata[k]", "v")]).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("invoice_not_editable")), "{refused}");
    assert_eq!(tagged["metadata"]["k"], "v");
    double.paid_invoices_take_text(true);
    let taken = api.ok(&format!("/invoices/{invoice}"), &[("description", "Later")]).await;
    assert_eq!(taken["description"], "Later");
    double.stop().await;
}

#[tokio::test]
async fn lines_beyond_ten_are_paged_in_the_order_they_were_added() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Many").await;
    let invoice = api.draft(&customer, &[]).await;
    let mut items = Vec::new();
    for n in 1..=12 {
        items.push(api.item(&customer, &invoice, &format!("Line {n}"), 1, n).await);
    }

    let (_, embedded) = api.get(&format!("/invoices/{invoice}")).await;
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after.as_ref().map(|a| format!("&starting_after={a}")).unwrap_or_default();
        let (_, page) = api.get(&format!("/invoices/{invoice}/lines?limit=5{cursor}")).await;
        let data = page["data"].as_array().unwrap().clone();
        pages.push((data.len(), page["has_more"].as_bool().unwrap()));
        after = data.last().map(id);
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let all = double.invoice(&invoice).unwrap();

    assert_eq!(embedded["lines"]["data"].as_array().unwrap().len(), 10);
    assert_eq!((embedded["lines"]["has_more"].as_bool(), embedded["lines"]["total_count"].as_i64()), (Some(true), Some(12)));
    assert_eq!(embedded["lines"]["url"], format!("/v1/invoices/{invoice}/lines"));
    assert_eq!(pages, [(5, true), (5, true), (2, false)]);
    let (_, last) = api.get(&format!("/invoices/{invoice}/lines?limit=100")).await;
    let order: Vec<&str> =
        last["data"].as_array().unwrap().iter().map(|l| l["parent"]["invoice_item_details"]["invoice_item"].as_str().unwrap()).collect();
    assert_eq!(order, items.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(all["total"], (1..=12).sum::<i64>());
    double.stop().await;
}

#[tokio::test]
async fn a_customers_invoices_list_newest_first_by_status_and_page() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let (ada, grace) = (api.customer("Ada").await, api.customer("Grace").await);
    let first = api.draft(&ada, &[]).await;
    api.draft(&grace, &[]).await;
    let second = api.open(&ada).await;
    let third = api.draft(&ada, &[]).await;

    let (_, page_one) = api.get(&format!("/invoices?customer={ada}&limit=2")).await;
    let (_, page_two) = api.get(&format!("/invoices?customer={ada}&limit=2&starting_after={second}")).await;
    let (_, open) = api.get(&format!("/invoices?customer={ada}&status=open")).await;
    let (too_many, _) = api.get("/invoices?limit=101").await;

    let ids = |page: &serde_json::Value| page["data"].as_array().unwrap().iter().map(id).collect::<Vec<_>>();
    assert_eq!((ids(&page_one), page_one["has_more"].as_bool()), (vec![third, second.clone()], Some(true)));
    assert_eq!((ids(&page_two), page_two["has_more"].as_bool()), (vec![first], Some(false)));
    assert_eq!(ids(&open), [second]);
    assert_eq!(too_many, 400);
    double.stop().await;
}

#[tokio::test]
async fn pending_items_join_a_new_invoice_only_when_it_asks_to_include_them() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Pending").await;
    let pending = id(&api.ok("/invoiceitems", &[("customer", &customer), ("amount", "700"), ("description", "Setup")]).await);

    let excluded = api.draft(&customer, &[]).await;
    let included = api.draft(&customer, &[("pending_invoice_items_behavior", "include")]).await;
    let (_, item) = api.get(&format!("/invoiceitems/{pending}")).await;

    assert_eq!(double.invoice(&excluded).unwrap()["lines"]["total_count"], 0);
    let lines = double.invoice(&included).unwrap()["lines"].clone();
    assert_eq!(
        (lines["total_count"].as_i64(), lines["data"][0]["parent"]["invoice_item_details"]["invoice_item"].as_str()),
        (Some(1), Some(pending.as_str()))
    );
    assert_eq!(item["invoice"], included.as_str());
    double.stop().await;
}

#[tokio::test]
async fn finalizing_below_the_currencys_minimum_charge_marks_the_invoice_paid() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Small").await;
    let mut finalized = Vec::new();
    for (currency, amount) in [("usd", 49), ("usd", 50), ("gbp", 29), ("jpy", 50)] {
        let invoice = api.draft(&customer, &[("currency", currency)]).await;
        let item = [("customer", customer.as_str()), ("invoice", &invoice), ("currency", currency), ("amount", &amount.to_string())];
        api.ok("/invoiceitems", &item).await;
        let open = api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
        finalized.push((open["status"].as_str().unwrap().to_owned(), open["amount_remaining"].as_i64().unwrap()));
    }
    let expected = [("paid", 0), ("open", 50), ("paid", 0), ("open", 50)].map(|(s, r)| (s.to_owned(), r));
    assert_eq!(finalized, expected);
    double.stop().await;
}

#[tokio::test]
async fn a_three_decimal_amount_must_end_in_zero() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Kuwait").await;
    let invoice = api.draft(&customer, &[("currency", "kwd")]).await;
    let item = |amount: &'static str| [("customer", customer.clone()), ("invoice", invoice.clone()), ("amount", amount.to_owned())];
    let odd = item("1255");
    let (status, refused) = api.post("/invoiceitems", &odd.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(status, 400, "{refused}");
    let even = item("1250");
    let (status, made) = api.post("/invoiceitems", &even.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!((status, made["amount"].as_i64()), (200, Some(1250)), "{made}");
    double.stop().await;
}
