//! The Stripe double refuses what Stripe refuses, in memory mode over real
//! HTTP: metadata past Stripe's limits, a currency Stripe does not take;
//! it pages customer lists, answers with Stripe's error codes, defaults
//! `auto_advance` to false, and keeps no answer under an idempotency key
//! for a request whose parameters were refused.
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use serde_json::Value;
use stripe_memory::{id, Api};
use testkit::StripeDouble;

/// `metadata[key_i]=v` for i in `range`.
fn keys(range: std::ops::Range<usize>) -> Vec<(String, String)> {
    range.map(|i| (format!("metadata[key_{i}]"), "v".to_owned())).collect()
}

fn form<'a>(fields: &'a [(String, String)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(extra.iter().copied()).collect()
}

fn assert_refused(answer: &(u16, Value), param: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 400, "{body}");
    assert_eq!((body["error"]["type"].as_str(), body["error"]["param"].as_str()), (Some("invalid_request_error"), Some(param)), "{body}");
}

/// https://docs.stripe.com/metadata: 50 keys in all, keys of at most 40
/// characters without brackets, values of at most 500.
#[tokio::test]
async fn metadata_past_stripes_limits_is_refused_and_changes_nothing() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);

    let (fifty, over) = (keys(0..50), keys(0..51));
    let customer = id(&api.ok("/customers", &form(&fifty, &[("name", "Full")])).await);
    assert_refused(&api.post("/customers", &form(&over, &[("name", "Over")])).await, "metadata");
    assert_eq!(double.customers().len(), 1, "the refused customer was not made");
    // The 50 count what the customer holds after the update.
    let path = format!("/customers/{customer}");
    assert_refused(&api.post(&path, &[("metadata[one_more]", "v"), ("name", "Renamed")]).await, "metadata");
    assert_eq!(double.customers()[0]["name"], "Full", "a refused update changes nothing");
    let swapped = api.ok(&path, &[("metadata[key_0]", ""), ("metadata[one_more]", "v")]).await;
    assert_eq!(swapped["metadata"].as_object().map(serde_json::Map::len), Some(50));

    let (long_key, long_value) = (format!("metadata[{}]", "k".repeat(41)), "v".repeat(501));
    let (key_40, value_500) = (format!("metadata[{}]", "k".repeat(40)), "v".repeat(500));
    let other = api.customer("Other").await;
    let other_path = format!("/customers/{other}");
    assert_refused(&api.post(&other_path, &[(long_key.as_str(), "v")]).await, &long_key);
    assert_refused(&api.post(&other_path, &[("metadata[a[b]]", "v")]).await, "metadata[a[b]]");
    assert_refused(&api.post(&other_path, &[("metadata[long]", long_value.as_str())]).await, "metadata[long]");
    api.ok(&other_path, &[(key_40.as_str(), value_500.as_str())]).await;

    // Invoices and invoice items alike; a refused update leaves the
    // invoice's other fields as they were.
    let draft = api.draft(&other, &form(&keys(0..49), &[])).await;
    let update = [("description", "Changed"), ("metadata[a]", "1"), ("metadata[b]", "2")];
    assert_refused(&api.post(&format!("/invoices/{draft}"), &update).await, "metadata");
    assert_eq!(double.invoice(&draft).unwrap()["description"], Value::Null);
    assert_refused(&api.post("/invoices", &form(&over, &[("customer", &other)])).await, "metadata");
    let item = form(&over, &[("customer", &other), ("invoice", &draft), ("amount", "100")]);
    assert_refused(&api.post("/invoiceitems", &item).await, "metadata");
    assert_eq!(double.invoices().len(), 1);
    double.stop().await;
}

/// https://docs.stripe.com/currencies: a code Stripe does not take is
/// refused as Stripe refuses it, naming the currencies it takes, with no
/// `code`; any case of one it takes goes, stored lower-case.
#[tokio::test]
async fn only_the_currencies_stripe_supports_are_taken() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Currencies").await;

    let refused = api.post("/invoices", &[("customer", &customer), ("currency", "abc")]).await;
    assert_refused(&refused, "currency");
    assert_eq!(refused.1["error"]["code"], Value::Null, "Stripe gives no code: {}", refused.1);
    let message = refused.1["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Invalid currency: abc. Stripe currently supports these currencies: usd, aed, afn,"), "{message}");
    assert!(message.contains("jpy") && message.contains("kwd"), "{message}");
    assert_refused(&api.post("/invoiceitems", &[("customer", &customer), ("currency", "xyz"), ("amount", "5")]).await, "currency");

    let yen = api.draft(&customer, &[("currency", "JPY")]).await;
    assert_eq!(double.invoice(&yen).unwrap()["currency"], "jpy");
    assert_eq!(double.invoices().len(), 1, "nothing refused was made");
    double.stop().await;
}

/// https://docs.stripe.com/api/pagination: newest first, `limit` 1 to
/// 100 (10 by default), cursors, `has_more`.
#[tokio::test]
async fn customer_lists_page_as_stripes_do() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    for n in 0..12 {
        let email = if n % 2 == 0 { "even@example.com" } else { "odd@example.com" };
        api.ok("/customers", &[("name", &format!("C{n}")), ("email", email)]).await;
    }
    let names =
        |page: &Value| -> Vec<String> { page["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect() };

    let (_, first) = api.get("/customers").await;
    assert_eq!((first["data"].as_array().unwrap().len(), &first["has_more"]), (10, &Value::Bool(true)));
    assert_eq!(names(&first)[..2], ["C11", "C10"], "newest first");
    let last = first["data"][9]["id"].as_str().unwrap();
    let (_, rest) = api.get(&format!("/customers?starting_after={last}")).await;
    assert_eq!((names(&rest), &rest["has_more"]), (vec!["C1".to_owned(), "C0".to_owned()], &Value::Bool(false)));
    let (_, back) = api.get(&format!("/customers?limit=2&ending_before={last}")).await;
    assert_eq!((names(&back), &back["has_more"]), (vec!["C4".to_owned(), "C3".to_owned()], &Value::Bool(true)));
    let (_, even) = api.get("/customers?email=even%40example.com&limit=4").await;
    assert_eq!((names(&even), &even["has_more"]), (["C10", "C8", "C6", "C4"].map(String::from).to_vec(), &Value::Bool(true)));

    for bad in ["limit=0", "limit=101", "limit=ten"] {
        let (status, body) = api.get(&format!("/customers?{bad}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("parameter_invalid_integer")), "{bad}: {body}");
    }
    double.stop().await;
}

/// Stripe's codes (https://docs.stripe.com/error-codes) and defaults.
#[tokio::test]
async fn codes_and_defaults_are_stripes() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Codes").await;

    let (_, made) = api.post("/invoices", &[("customer", &customer)]).await;
    assert_eq!(made["auto_advance"], false, "auto_advance defaults to false on POST /v1/invoices: {made}");
    let (_, bad_bool) = api.post("/invoices", &[("customer", &customer), ("auto_advance", "maybe")]).await;
    assert_eq!((bad_bool["error"]["code"].clone(), bad_bool["error"]["param"].as_str()), (Value::Null, Some("auto_advance")));
    let (_, bad_choice) = api.post("/invoices", &[("customer", &customer), ("collection_method", "cash")]).await;
    assert_eq!(bad_choice["error"]["code"], Value::Null, "{bad_choice}");
    let (_, wrong) = api.post(&format!("/invoices/{}/void", id(&made)), &[]).await;
    assert_eq!(wrong["error"]["code"], "status_transition_invalid", "{wrong}");
    double.stop().await;
}

/// https://docs.stripe.com/api/idempotent_requests: "If incoming
/// parameters fail validation ... no idempotent result is saved"; an
/// answer of a request that ran (a refused move included) is.
#[tokio::test]
async fn a_request_refused_for_its_parameters_keeps_no_answer_under_its_key() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let customer = api.customer("Keys").await;

    let refused = api.post_keyed("/invoices", &[("customer", &customer), ("currency", "abc")], "k-validation").await;
    assert_eq!(refused.status(), 400);
    let corrected = api.post_keyed("/invoices", &[("customer", &customer), ("currency", "usd")], "k-validation").await;
    assert_eq!(corrected.status(), 200, "the key is free again: {}", corrected.text().await.unwrap());
    let draft = api.draft(&customer, &[]).await;

    let pay = format!("/invoices/{draft}/pay");
    assert_eq!(api.post_keyed(&pay, &[], "k-ran").await.status(), 400, "a draft cannot be paid");
    let again = api.post_keyed(&pay, &[], "k-ran").await;
    assert_eq!(again.headers().get("Idempotent-Replayed").map(|v| v.to_str().unwrap()), Some("true"), "this one ran: replayed");
    double.stop().await;
}
