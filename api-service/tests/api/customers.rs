use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{assert_error, email, Api};

#[tokio::test]
async fn create_returns_the_full_resource_with_its_id_and_queues_one_change() {
    let api = Api::start().await;
    let address = email("ada");

    let response = api.create("Ada Lovelace", &address.to_uppercase()).await;

    assert_eq!(response.status(), 201);
    let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!(location, Some(format!("/customers/{id}")));
    assert_eq!(body["name"], "Ada Lovelace");
    assert_eq!(body["email"], address, "emails are stored lower-cased");
    assert_eq!(body["version"], 1);
    assert_eq!(body["sync"]["stripe"]["status"], "pending");
    assert_eq!(body["sync"]["stripe"]["external_id"], Value::Null);
    assert_eq!(api.outbox_rows().await, 1);
    let fetched: Value = api.get(&format!("/customers/{id}")).await.json().await.unwrap();
    assert_eq!(fetched["email"], address);
    api.cleanup().await;
}

#[tokio::test]
async fn put_patch_and_delete_each_queue_a_change_and_bump_the_version() {
    let api = Api::start().await;
    let id = api.created("Grace", &email("grace")).await["id"].as_str().unwrap().to_owned();
    let url = format!("{}/customers/{id}", api.base);

    let put: Value =
        api.http.put(&url).json(&json!({"name": "Grace Hopper", "email": email("hopper")})).send().await.unwrap().json().await.unwrap();
    assert_eq!(put["version"], 2);
    assert_eq!(put["name"], "Grace Hopper");
    let patch: Value = api.http.patch(&url).json(&json!({"name": "Admiral Hopper"})).send().await.unwrap().json().await.unwrap();
    assert_eq!(patch["version"], 3);
    assert_eq!(patch["email"], put["email"], "PATCH leaves other fields alone");

    // A PATCH that changes nothing makes no new version and queues nothing.
    let same: Value = api.http.patch(&url).json(&json!({"name": "Admiral Hopper"})).send().await.unwrap().json().await.unwrap();
    assert_eq!(same["version"], 3);
    assert_eq!(api.outbox_rows().await, 3);

    let deleted = api.http.delete(&url).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(api.outbox_rows().await, 4);
    assert_error(api.get(&format!("/customers/{id}")).await, 404, "not_found").await;
    let list: Value = api.get("/customers?limit=100").await.json().await.unwrap();
    assert!(list["data"].as_array().unwrap().iter().all(|c| c["id"] != id.as_str()), "deleted customers are not listed");
    assert_error(api.http.delete(&url).send().await.unwrap(), 404, "not_found").await;
    api.cleanup().await;
}

#[tokio::test]
async fn list_pages_with_a_cursor_and_filters_by_email() {
    let api = Api::start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(api.created(&format!("Customer {i}"), &email(&format!("c{i}"))).await["id"].as_str().unwrap().to_owned());
    }

    let first: Value = api.get("/customers?limit=2").await.json().await.unwrap();
    let second: Value =
        api.get(&format!("/customers?limit=2&starting_after={}", first["next_cursor"].as_str().unwrap())).await.json().await.unwrap();
    let third: Value =
        api.get(&format!("/customers?limit=2&starting_after={}", second["next_cursor"].as_str().unwrap())).await.json().await.unwrap();

    let seen: Vec<String> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(seen, ids, "pages walk every customer once, in creation order");
    assert_eq!(first["has_more"], true);
    assert_eq!(third["has_more"], false);
    assert_eq!(third["next_cursor"], Value::Null);

    let wanted: Value = api.get(&format!("/customers/{}", ids[3])).await.json().await.unwrap();
    let filtered: Value =
        api.get(&format!("/customers?email={}", wanted["email"].as_str().unwrap().to_uppercase())).await.json().await.unwrap();
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["data"][0]["id"], ids[3].as_str());
    api.cleanup().await;
}

#[tokio::test]
async fn health_is_always_up_and_ready_reports_database_and_broker() {
    let api = Api::start().await;
    assert_eq!(api.get("/health").await.status(), 200);
    let ready = testkit::wait_for("api-service to be ready", Duration::from_secs(15), || async {
        let r = api.get("/ready").await;
        (r.status() == 200).then_some(())
    })
    .await;
    assert_eq!(ready, ());
    let body: Value = api.get("/ready").await.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["broker"], "ok");
    api.cleanup().await;
}

#[tokio::test]
async fn ready_says_unavailable_when_the_broker_cannot_be_reached() {
    let db = testkit::TestDb::create().await;
    let settings = testkit::settings(&db.url, "amqp://guest:guest@127.0.0.1:9/%2f", "unreachable", "http://127.0.0.1:9");
    let app = api_service::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let response = reqwest::get(format!("{base}/ready")).await.unwrap();

    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["broker"], "not connected");

    // The operations that need RabbitMQ say so; the status still answers.
    for (method, path) in [(reqwest::Method::GET, "/sync/dead-letters"), (reqwest::Method::POST, "/sync/dead-letters/replay")] {
        let response =
            testkit::http().request(method, format!("{base}{path}")).header("content-type", "application/json").send().await.unwrap();
        assert_eq!(response.status(), 503, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "service_unavailable", "{path}");
    }
    let status: Value = testkit::http().get(format!("{base}/sync/status")).send().await.unwrap().json().await.unwrap();
    assert_eq!(status["integrations"]["stripe"]["queues"], Value::Null, "{status}");
    assert_eq!(status["broker"]["connected"], false);
    db.cleanup().await;
}

#[tokio::test]
async fn sync_status_counts_what_waits_and_what_is_done() {
    let api = Api::start().await;
    let response = api.get("/sync/status").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["integrations"]["stripe"]["outward"]["customer"]["pending"], 0);
    assert_eq!(body["integrations"]["stripe"]["conflicts"], 0);

    api.created("Counted", &email("counted")).await;
    api.created("Counted Too", &email("counted")).await;
    api.db.execute("UPDATE sync_links SET status = 'failed'").await;
    api.created("Waiting", &email("waiting")).await;
    let body: Value = api.get("/sync/status").await.json().await.unwrap();
    assert_eq!(body["integrations"]["stripe"]["outward"]["customer"]["pending"], 1, "{body}");
    assert_eq!(body["integrations"]["stripe"]["outward"]["customer"]["failed"], 2, "{body}");
    assert_eq!(body["integrations"]["stripe"]["outward"]["customer"]["synced"], 0, "{body}");
    assert!(body["outbox"]["unpublished"].as_i64().is_some(), "{body}");
    assert!(body["broker"]["connected"].is_boolean(), "{body}");
    api.cleanup().await;
}
