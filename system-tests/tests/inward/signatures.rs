//! What reaches `POST /webhooks/stripe` without a good signature, or without
//! a readable event, is refused with a JSON error and stores nothing.

use serde_json::Value;
use stripe_integration::signature::sign;

use crate::support::{customer_event, customer_id, email, event_id, remote_customer, Inward, SECRET};

async fn assert_refused(response: reqwest::Response, code: &str) {
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn bad_signatures_and_bodies_are_refused_and_store_nothing() {
    let stack = Inward::start("webhook", |_| {}).await;
    let event =
        customer_event(&event_id(), "created", chrono::Utc::now().timestamp(), remote_customer(&customer_id(), "Eve", &email("eve")));
    let body = event.to_string();
    let now = chrono::Utc::now().timestamp();

    assert_refused(stack.deliver_raw(body.as_bytes(), None).await, "missing_signature").await;
    assert_refused(stack.deliver_raw(body.as_bytes(), Some("nonsense")).await, "malformed_signature").await;
    let forged = format!("t={now},v1={}", "0f".repeat(32));
    assert_refused(stack.deliver_raw(body.as_bytes(), Some(&forged)).await, "invalid_signature").await;
    let wrong_secret = sign("whsec_someone_else", now, body.as_bytes());
    assert_refused(stack.deliver_raw(body.as_bytes(), Some(&wrong_secret)).await, "invalid_signature").await;
    let stale = sign(SECRET, now - 301, body.as_bytes());
    assert_refused(stack.deliver_raw(body.as_bytes(), Some(&stale)).await, "timestamp_outside_tolerance").await;
    let tampered = body.replace("Eve", "Mallory");
    assert_refused(stack.deliver_raw(tampered.as_bytes(), Some(&sign(SECRET, now, body.as_bytes()))).await, "invalid_signature").await;
    let only_v0 = format!("t={now},v0={}", sign(SECRET, now, body.as_bytes()).split("v1=").nth(1).unwrap());
    assert_refused(stack.deliver_raw(body.as_bytes(), Some(&only_v0)).await, "invalid_signature").await;

    let not_json = b"{\"id\": \"evt_1\", ";
    assert_refused(stack.deliver_raw(not_json, Some(&sign(SECRET, now, not_json))).await, "invalid_json").await;
    let not_an_event = br#"{"hello": "world"}"#;
    assert_refused(stack.deliver_raw(not_an_event, Some(&sign(SECRET, now, not_an_event))).await, "invalid_event").await;

    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 0);
    // A corrupt gzip body: 400, and no Rust debug text in the answer.
    let gzip = stack
        .http
        .post(format!("{}/webhooks/stripe", stack.hooks))
        .header("content-encoding", "gzip")
        .body(b"\x1f\x8b\x08\x00garbage".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.status(), 400);
    let body = gzip.text().await.unwrap();
    assert!(body.contains("\"error\"") && !body.contains("Custom {") && !body.contains("kind:"), "{body}");
    assert_eq!(stack.db.count("SELECT count(*) FROM customers").await, 0);
    stack.cleanup().await;
}

#[tokio::test]
async fn during_a_secret_roll_either_secret_is_accepted() {
    let stack = Inward::start("webhook", |s| s.stripe.webhook_secret = Some(format!("whsec_new, {SECRET}").into())).await;
    let now = chrono::Utc::now().timestamp();
    let first = customer_event(&event_id(), "created", now, remote_customer(&customer_id(), "Old Secret", &email("old")));
    let body = first.to_string();
    let response = stack.deliver_raw(body.as_bytes(), Some(&sign(SECRET, now, body.as_bytes()))).await;
    assert_eq!(response.status(), 200);

    // What Stripe sends while rolling: one v1 per secret, the old one first.
    let second = customer_event(&event_id(), "created", now, remote_customer(&customer_id(), "Both Secrets", &email("both")));
    let body = second.to_string();
    let with_old = sign("whsec_retired", now, body.as_bytes());
    let with_new = sign("whsec_new", now, body.as_bytes());
    let header = format!("{with_old},v1={}", with_new.split("v1=").nth(1).unwrap());
    let response = stack.deliver_raw(body.as_bytes(), Some(&header)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 2);
    stack.cleanup().await;
}

#[tokio::test]
async fn other_routes_and_methods_answer_json() {
    let stack = Inward::start("webhook", |_| {}).await;
    let response = stack.http.get(format!("{}/webhooks/stripe", stack.hooks)).send().await.unwrap();
    assert_eq!(response.status(), 405);
    let response = stack.http.get(format!("{}/nope", stack.hooks)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    // An integration not in force has no webhook endpoint; nothing is stored.
    let signed = sign(SECRET, chrono::Utc::now().timestamp(), b"{}");
    let response =
        stack.http.post(format!("{}/webhooks/salesforce", stack.hooks)).header("Stripe-Signature", signed).body("{}").send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body = response.json::<Value>().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("salesforce"), "{body}");
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 0);
    let ready: Value = stack.http.get(format!("{}/ready", stack.hooks)).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    let health = stack.http.get(format!("{}/health", stack.hooks)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // What actix's HTTP layer answers by itself carries the JSON body too.
    let port = stack.hooks.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap();
    let oversized = format!("POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n", "a".repeat(200_000));
    let answer = testkit::raw_http(port, oversized.as_bytes(), std::time::Duration::from_secs(20)).await;
    assert_eq!((answer.status, &answer.body["error"]["code"]), (431, &Value::from("request_header_fields_too_large")), "{answer:?}");
    stack.cleanup().await;
}
