//! What an attacker on the same network meets (issue 13's findings): no
//! key, no catalog; keys with too little scope, no change; bad input told
//! as a 4xx with the JSON error body and nothing stored.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{assert_error, email, Api};

async fn key(api: &Api, scopes: &[shared_models::auth::Scope]) -> String {
    use secrecy::ExposeSecret;
    let pool = shared_models::db::build_pool(&api.settings.database.url, 1).unwrap();
    let (_, key) = api_service::operations::api_keys::create(&pool, "test", scopes).await.unwrap();
    key.expose_secret().to_owned()
}

async fn send(api: &Api, method: Method, path: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = Client::new().request(method, format!("{}{path}", api.base)).header("content-type", "application/json");
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let body = if path == "/customers" { json!({"name": "Mallory", "email": email("mallory")}) } else { json!({}) };
    request.json(&body).send().await.unwrap()
}

#[tokio::test]
async fn without_a_live_key_nothing_but_health_and_the_docs_answers() {
    let api = Api::start().await;
    for (method, path) in [
        (Method::GET, "/customers"),
        (Method::POST, "/customers"),
        (Method::POST, "/sync/reconcile"),
        (Method::GET, "/sync/dead-letters"),
        (Method::GET, "/metrics"),
        (Method::GET, "/nowhere"),
    ] {
        let response = send(&api, method.clone(), path, None).await;
        assert_eq!(response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned()), Some("Bearer".into()));
        assert_error(response, 401, "unauthorized").await;
        assert_error(send(&api, method, path, Some("csk_not_a_key_we_made_at_all_00000000000000")).await, 401, "unauthorized").await;
    }
    for path in ["/health", "/ready", "/openapi.json", "/docs/"] {
        // Open: /ready may still say 503 while the relay connects, never 401.
        let status = Client::new().get(format!("{}{path}", api.base)).send().await.unwrap().status();
        assert!(status.is_success() || (path == "/ready" && status == 503), "{path}: {status}");
    }
    assert_eq!(api.customer_rows().await + api.db.count("SELECT count(*) FROM reconcile_runs").await, 0);
    api.cleanup().await;
}

#[tokio::test]
async fn a_key_does_what_its_scopes_allow_and_a_revoked_key_nothing() {
    use shared_models::auth::Scope;
    let api = Api::start().await;
    let reader = key(&api, &[Scope::Read]).await;
    assert_eq!(send(&api, Method::GET, "/customers", Some(&reader)).await.status(), StatusCode::OK);
    assert_eq!(send(&api, Method::HEAD, "/customers", Some(&reader)).await.status(), StatusCode::OK);
    assert_error(send(&api, Method::POST, "/customers", Some(&reader)).await, 403, "forbidden").await;
    assert_error(send(&api, Method::POST, "/sync/reconcile", Some(&reader)).await, 403, "forbidden").await;
    assert_error(send(&api, Method::GET, "/metrics", Some(&reader)).await, 403, "forbidden").await;

    let writer = key(&api, &[Scope::Read, Scope::Write]).await;
    assert_eq!(send(&api, Method::POST, "/customers", Some(&writer)).await.status(), StatusCode::CREATED);
    let operator = key(&api, &[Scope::Operate]).await;
    assert_eq!(send(&api, Method::POST, "/sync/reconcile", Some(&operator)).await.status(), StatusCode::ACCEPTED);
    assert_eq!(send(&api, Method::GET, "/metrics", Some(&operator)).await.status(), StatusCode::OK);

    let pool = shared_models::db::build_pool(&api.settings.database.url, 1).unwrap();
    let revoked = key(&api, &Scope::ALL).await;
    let listed = api_service::operations::api_keys::list(&pool).await.unwrap();
    let id = listed.iter().find(|k| revoked.starts_with(&k.prefix)).map(|k| k.id).unwrap();
    assert!(api_service::operations::api_keys::revoke(&pool, id).await.unwrap());
    assert_error(send(&api, Method::GET, "/customers", Some(&revoked)).await, 401, "unauthorized").await;
    // Listed without the key or its hash.
    let printed = serde_json::to_string(&listed).unwrap();
    assert!(!printed.contains(&revoked) && !printed.contains(&shared_models::auth::hash(&revoked)), "{printed}");
    assert_eq!(api.customer_rows().await, 1);
    api.cleanup().await;
}

#[tokio::test]
async fn a_cross_site_form_post_starts_nothing() {
    let api = Api::start().await;
    let form = api
        .http
        .post(format!("{}/sync/reconcile", api.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_error(form, 415, "unsupported_media_type").await;
    assert_eq!(api.db.count("SELECT count(*) FROM reconcile_runs").await, 0);
    api.cleanup().await;
}

#[tokio::test]
async fn odd_methods_are_bounded_in_the_metrics_and_answered_with_json() {
    let api = Api::start().await;
    let odd = Method::from_bytes("X".repeat(10_000).as_bytes()).unwrap();
    for _ in 0..3 {
        let response = api.http.request(odd.clone(), format!("{}/customers", api.base)).send().await.unwrap();
        assert!(response.status().is_client_error(), "{}", response.status());
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    let metrics = api.get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("XXXXXXXX"), "a method became a label");
    assert!(metrics.len() < 1_000_000);
    api.cleanup().await;
}

#[tokio::test]
async fn a_bad_idempotency_key_is_told_before_the_body_and_a_corrupt_body_tells_no_internals() {
    let api = Api::start().await;
    let tab = api
        .http
        .post(format!("{}/customers", api.base))
        .header("content-type", "application/json")
        .header("idempotency-key", "a\tb")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_error(tab, 400, "invalid_idempotency_key").await;
    let gzip = api
        .http
        .post(format!("{}/customers", api.base))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(b"\x1f\x8b\x08\x00garbage".to_vec())
        .send()
        .await
        .unwrap();
    let error = assert_error(gzip, 400, "invalid_json").await;
    let message = error["message"].as_str().unwrap();
    assert!(!message.contains("Custom {") && !message.contains("kind:"), "{message}");
    assert_eq!(api.customer_rows().await, 0);
    api.cleanup().await;
}

#[tokio::test]
async fn a_body_sent_byte_by_byte_is_cut_off_with_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = testkit::TestDb::create().await;
    let broker = testkit::TestBroker::new();
    let mut settings = testkit::settings(&db.url, &broker.url, &broker.prefix, "http://127.0.0.1:9");
    settings.http.request_timeout_seconds = 2;
    let app = api_service::Application::build(settings).await.unwrap();
    let port = app.port();
    tokio::spawn(app.run_until_stopped());

    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"name\":",
        testkit::API_KEY
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was still open after 20 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert_eq!(db.count("SELECT count(*) FROM customers").await, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn keys_that_cannot_be_checked_for_want_of_a_database_get_503_not_401() {
    // The database is a closed port: the bootstrap key needs no lookup, any other key does.
    let broker = testkit::TestBroker::new();
    let settings = testkit::settings("postgres://postgres@127.0.0.1:9/none", &broker.url, &broker.prefix, "http://127.0.0.1:9");
    let app = api_service::Application::build(settings).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let response = Client::new()
        .get(format!("{base}/customers"))
        .bearer_auth("csk_a_key_only_the_database_could_vouch_for_0000")
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 503, "service_unavailable").await;
    let message = error["message"].as_str().unwrap();
    assert!(!message.contains("127.0.0.1:9") && !message.to_lowercase().contains("connection refused"), "{message}");
    let bootstrap = Client::new().get(format!("{base}/customers")).bearer_auth(testkit::API_KEY).send().await.unwrap();
    assert_eq!(bootstrap.status(), 503, "past the key check, the catalog itself is unavailable");
}
