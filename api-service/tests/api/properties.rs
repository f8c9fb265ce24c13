//! Request bodies and queries of any shape: every answer is a 2xx or a 4xx
//! with the JSON error body, never a 5xx (and the service never panics).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::support::Api;

/// Any JSON value a few levels deep, with the strings a hostile client likes.
fn json_value() -> impl Strategy<Value = Value> {
    let text = prop_oneof![any::<String>(), "[\u{0}\u{200b}\u{202e}\t a-z@.]{0,40}", Just("ada@example.com".to_owned())];
    let leaf =
        prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::from), any::<i64>().prop_map(Value::from), text.prop_map(Value::from)];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(prop_oneof![Just("name".to_owned()), Just("email".to_owned()), any::<String>()], inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

async fn check(response: reqwest::Response, what: &str) {
    let status = response.status();
    assert!(status.as_u16() < 500, "{what}: {status}");
    if status.is_client_error() {
        let body: Value = response.json().await.unwrap_or_else(|e| panic!("{what}: {status} without a JSON body: {e}"));
        assert!(body["error"]["code"].is_string(), "{what}: {body}");
    }
}

#[tokio::test]
async fn no_body_or_query_gets_a_server_error() {
    let api = Api::start().await;
    let id = api.created("Prop Erty", &crate::support::email("prop")).await["id"].as_str().unwrap().to_owned();
    let mut runner = TestRunner::new(Config { cases: 150, ..Config::default() });
    let queries = "[a-z_=&%0-9\u{0}]{0,40}";
    for _ in 0..150 {
        let body = json_value().new_tree(&mut runner).unwrap().current();
        let query = queries.new_tree(&mut runner).unwrap().current();
        let raw = body.to_string();
        for (method, path) in [(reqwest::Method::POST, "/customers".to_owned()), (reqwest::Method::PATCH, format!("/customers/{id}"))] {
            let response = api
                .http
                .request(method.clone(), format!("{}{path}", api.base))
                .header("content-type", "application/json")
                .body(raw.clone())
                .send()
                .await
                .unwrap();
            check(response, &format!("{method} {path} {raw}")).await;
        }
        check(api.get(&format!("/customers?{query}")).await, &format!("GET /customers?{query}")).await;
        check(api.post("/sync/reconcile", &json!({"dry_run": body})).await, "POST /sync/reconcile").await;
    }
    api.cleanup().await;
}
