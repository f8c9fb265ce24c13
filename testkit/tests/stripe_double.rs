//! The Stripe double over real HTTP: idempotency keys behave as Stripe's
//! do, and a held request lands after its caller gave up.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::Value;
use testkit::{Calls, Fault, StripeDouble};

const WAIT: Duration = Duration::from_secs(10);

async fn create(http: &reqwest::Client, url: &str, key: &str, name: &str) -> reqwest::Result<reqwest::Response> {
    http.post(format!("{url}/v1/customers"))
        .header("Idempotency-Key", key)
        .form(&[("name", name), ("email", "ada@example.com")])
        .send()
        .await
}

fn replayed(response: &reqwest::Response) -> bool {
    response.headers().get("Idempotent-Replayed").and_then(|v| v.to_str().ok()) == Some("true")
}

#[tokio::test]
async fn a_key_replays_its_answer_and_refuses_other_parameters() {
    let double = StripeDouble::start(None).unwrap();
    let http = reqwest::Client::new();

    let first = create(&http, &double.url, "k1", "Ada").await.unwrap();
    assert_eq!(first.status(), 200);
    let first: Value = first.json().await.unwrap();
    let again = create(&http, &double.url, "k1", "Ada").await.unwrap();
    assert!(replayed(&again));
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"], "the stored answer, not a second customer");
    let other = create(&http, &double.url, "k1", "Grace").await.unwrap();
    assert_eq!(other.status(), 400, "the same key with other parameters");
    assert_eq!(double.customers().len(), 1);
    double.stop().await;
}

#[tokio::test]
async fn a_held_request_lands_after_its_caller_gave_up_and_its_resend_is_one_write() {
    let double = StripeDouble::start(None).unwrap();
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(300)).build().unwrap();
    double.fault(Calls::new("POST", "/v1/customers"), Fault::Hold(None), Some(1));

    assert!(create(&impatient, &double.url, "k2", "Held").await.is_err(), "the caller gives up");
    assert_eq!((double.held(), double.customers().len()), (1, 0));
    let resent = create(&impatient, &double.url, "k2", "Held").await.unwrap();
    assert_eq!(resent.status(), 200, "the resend lands first");
    double.release_held();
    testkit::wait_for("the held original to land", WAIT, || async { (double.held() == 0).then_some(()) }).await;

    assert_eq!(double.customers().len(), 1, "the late original was a replay");
    assert!(double.log().iter().any(|call| call.replayed && call.idempotency_key.as_deref() == Some("k2")));
    double.stop().await;
}

#[tokio::test]
async fn a_key_whose_request_is_still_running_is_refused_with_409() {
    // Stripe behind the double takes a second to execute the create.
    let slow_stripe = StripeDouble::start(None).unwrap();
    slow_stripe.fault(Calls::new("POST", "/v1/customers"), Fault::Slow(Duration::from_secs(1)), Some(1));
    let double = StripeDouble::start(Some(slow_stripe.url.clone())).unwrap();
    let http = reqwest::Client::new();

    let url = double.url.clone();
    let running = tokio::spawn(async move { create(&reqwest::Client::new(), &url, "k3", "Slow").await.map(|r| r.status().as_u16()) });
    testkit::wait_for("the create to be running", WAIT, || async { (slow_stripe.customers().len() == 1).then_some(()) }).await;
    let concurrent = create(&http, &double.url, "k3", "Slow").await.unwrap();

    assert_eq!(concurrent.status(), 409);
    // Stripe's code for it (https://docs.stripe.com/error-codes#idempotency-key-in-use).
    assert_eq!(concurrent.json::<Value>().await.unwrap()["error"]["code"], "idempotency_key_in_use");
    assert_eq!(running.await.unwrap().unwrap(), 200);
    assert!(replayed(&create(&http, &double.url, "k3", "Slow").await.unwrap()));
    assert_eq!(slow_stripe.customers().len(), 1);
    double.stop().await;
    slow_stripe.stop().await;
}
