use serde_json::json;

use crate::support::{assert_error, email, Api};

/// Every refused request leaves the catalog and the outbox as they were.
async fn assert_nothing_written(api: &Api, customers: i64, outbox: i64) {
    assert_eq!(api.customer_rows().await, customers, "no customer row written");
    assert_eq!(api.outbox_rows().await, outbox, "no outbox row written");
}

#[tokio::test]
async fn malformed_create_requests_get_a_4xx_naming_the_problem_and_write_nothing() {
    let api = Api::start().await;
    let url = format!("{}/customers", api.base);
    let post_raw = |body: &'static str| api.http.post(&url).header("content-type", "application/json").body(body).send();

    assert_error(post_raw("{\"name\": \"x\", ").await.unwrap(), 400, "invalid_json").await;
    assert_error(post_raw("").await.unwrap(), 400, "invalid_json").await;
    let e = assert_error(post_raw("{\"email\": \"a@example.com\"}").await.unwrap(), 422, "validation_failed").await;
    assert_eq!(e["field"], "name");
    let e = assert_error(post_raw("{\"name\": \"A\"}").await.unwrap(), 422, "validation_failed").await;
    assert_eq!(e["field"], "email");
    let e = assert_error(post_raw("{\"name\": \"   \", \"email\": \"a@example.com\"}").await.unwrap(), 422, "validation_failed").await;
    assert_eq!(e["field"], "name");
    for bad in ["not-an-email", "a@b", "a@@example.com", "", "a b@example.com"] {
        let e = assert_error(api.create("A", bad).await, 422, "validation_failed").await;
        assert_eq!(e["field"], "email", "for {bad:?}");
    }
    assert_error(post_raw("{\"name\": 42, \"email\": \"a@example.com\"}").await.unwrap(), 422, "validation_failed").await;
    assert_error(post_raw("{\"name\": \"A\", \"email\": \"a@example.com\", \"id\": \"mine\"}").await.unwrap(), 422, "validation_failed")
        .await;
    assert_error(post_raw("[1, 2]").await.unwrap(), 422, "validation_failed").await;

    let huge = json!({ "name": "x".repeat(70_000), "email": "a@example.com" });
    assert_error(api.http.post(&url).json(&huge).send().await.unwrap(), 413, "payload_too_large").await;
    assert_error(api.http.post(&url).header("content-type", "text/plain").body("{}").send().await.unwrap(), 415, "unsupported_media_type")
        .await;

    assert_nothing_written(&api, 0, 0).await;
    api.cleanup().await;
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_whatever_its_case() {
    let api = Api::start().await;
    let address = email("dup");
    api.created("First", &address).await;

    assert_error(api.create("Second", &address.to_uppercase()).await, 409, "email_taken").await;

    let other = api.created("Third", &email("other")).await;
    let url = format!("{}/customers/{}", api.base, other["id"].as_str().unwrap());
    assert_error(api.http.patch(&url).json(&json!({"email": address})).send().await.unwrap(), 409, "email_taken").await;
    assert_nothing_written(&api, 2, 2).await;
    api.cleanup().await;
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404_for_every_method() {
    let api = Api::start().await;
    api.created("Someone", &email("someone")).await;
    let body = json!({"name": "N", "email": email("n")});

    for id in ["0190d1f0-0000-7000-8000-000000000000", "not-a-uuid", "cus_123"] {
        let url = format!("{}/customers/{id}", api.base);
        assert_error(api.http.get(&url).send().await.unwrap(), 404, "not_found").await;
        assert_error(api.http.put(&url).json(&body).send().await.unwrap(), 404, "not_found").await;
        assert_error(api.http.patch(&url).json(&body).send().await.unwrap(), 404, "not_found").await;
        assert_error(api.http.delete(&url).send().await.unwrap(), 404, "not_found").await;
    }
    assert_error(api.get("/nowhere").await, 404, "not_found").await;
    assert_nothing_written(&api, 1, 1).await;
    api.cleanup().await;
}

#[tokio::test]
async fn bad_updates_and_queries_are_refused_and_change_nothing() {
    let api = Api::start().await;
    let created = api.created("Before", &email("before")).await;
    let url = format!("{}/customers/{}", api.base, created["id"].as_str().unwrap());

    let e = assert_error(api.http.put(&url).json(&json!({"name": "Only name"})).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(e["field"], "email");
    assert_error(api.http.patch(&url).json(&json!({})).send().await.unwrap(), 422, "validation_failed").await;
    assert_error(api.http.patch(&url).json(&json!({"email": "broken"})).send().await.unwrap(), 422, "validation_failed").await;
    assert_error(api.http.patch(&url).header("content-type", "application/json").body("{oops").send().await.unwrap(), 400, "invalid_json")
        .await;
    assert_error(api.get("/customers?limit=0").await, 400, "invalid_query").await;
    assert_error(api.get("/customers?limit=101").await, 400, "invalid_query").await;
    assert_error(api.get("/customers?limit=ten").await, 400, "invalid_query").await;
    assert_error(api.get("/customers?starting_after=nope").await, 400, "invalid_query").await;
    assert_error(api.get("/customers?email=nope").await, 422, "validation_failed").await;

    let after: serde_json::Value = api.get(&format!("/customers/{}", created["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(after["name"], "Before");
    assert_eq!(after["version"], 1);
    assert_nothing_written(&api, 1, 1).await;
    api.cleanup().await;
}
