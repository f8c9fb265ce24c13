use serde_json::{json, Value};

use crate::support::{assert_error, email, Api};

#[tokio::test]
async fn a_retried_create_with_the_same_key_returns_the_first_response() {
    let api = Api::start().await;
    let body = json!({"name": "Retry", "email": email("retry")});
    let send = || api.http.post(format!("{}/customers", api.base)).header("Idempotency-Key", "order-42").json(&body).send();

    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let second: Value = second.json().await.unwrap();

    assert_eq!(first, second);
    assert_eq!(api.customer_rows().await, 1);
    assert_eq!(api.outbox_rows().await, 1);
    api.cleanup().await;
}

#[tokio::test]
async fn concurrent_twins_with_one_key_make_one_customer() {
    let api = Api::start().await;
    let body = json!({"name": "Twin", "email": email("twin")});
    let send = || api.http.post(format!("{}/customers", api.base)).header("Idempotency-Key", "twin-key").json(&body).send();

    let (a, b) = tokio::join!(send(), send());

    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
    assert_eq!(api.customer_rows().await, 1);
    assert_eq!(api.outbox_rows().await, 1);
    api.cleanup().await;
}

#[tokio::test]
async fn a_key_reused_with_another_body_or_malformed_is_refused() {
    let api = Api::start().await;
    let url = format!("{}/customers", api.base);
    let first = api.http.post(&url).header("Idempotency-Key", "k1").json(&json!({"name": "A", "email": email("a")})).send().await.unwrap();
    assert_eq!(first.status(), 201);

    let reused = api.http.post(&url).header("Idempotency-Key", "k1").json(&json!({"name": "B", "email": email("b")})).send().await.unwrap();
    assert_error(reused, 422, "idempotency_key_reused").await;
    let too_long = api
        .http
        .post(&url)
        .header("Idempotency-Key", "k".repeat(256))
        .json(&json!({"name": "C", "email": email("c")}))
        .send()
        .await
        .unwrap();
    assert_error(too_long, 400, "invalid_idempotency_key").await;

    assert_eq!(api.customer_rows().await, 1);
    assert_eq!(api.outbox_rows().await, 1);
    api.cleanup().await;
}
