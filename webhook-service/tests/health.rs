#![allow(clippy::unwrap_used)]

#[tokio::test]
async fn health_and_ready_answer() {
    let db = testkit::TestDb::create().await;
    let settings = testkit::settings(&db.url, &testkit::amqp_url(), "unused", "http://127.0.0.1:9");
    let app = webhook_service::Application::build(&settings).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    assert_eq!(reqwest::get(format!("{base}/health")).await.unwrap().status(), 200);
    let ready: serde_json::Value = reqwest::get(format!("{base}/ready")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["checks"]["database"], "ok");
    assert_eq!(reqwest::get(format!("{base}/nope")).await.unwrap().status(), 404);
    db.cleanup().await;
}
