use reqwest::{Client, Response};
use serde_json::{json, Value};
use shared_models::broker::Topology;
use shared_models::config::Settings;
use testkit::{TestBroker, TestDb};

pub struct Api {
    pub base: String,
    pub http: Client,
    pub db: TestDb,
    pub settings: Settings,
    broker: TestBroker,
}

/// Starts an api-service; returns its base URL.
async fn serve(settings: &Settings) -> String {
    let app = api_service::Application::build(settings.clone()).await.expect("build api-service");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    base
}

impl Api {
    pub async fn start() -> Self {
        let db = TestDb::create().await;
        let broker = TestBroker::new();
        // Stripe is a closed port: what reaches it fails at once.
        let settings = testkit::settings(&db.url, &broker.url, &broker.prefix, "http://127.0.0.1:9");
        let base = serve(&settings).await;
        Self { base, http: testkit::http(), db, settings, broker }
    }

    pub fn topology(&self) -> Topology {
        self.broker.topology(&self.settings)
    }

    /// A second api-service on the same database and broker (another
    /// replica, or this one after a restart); returns its base URL.
    pub async fn another_instance(&self) -> String {
        serve(&self.settings).await
    }

    pub async fn create(&self, name: &str, email: &str) -> Response {
        self.http
            .post(format!("{}/customers", self.base))
            .json(&json!({ "name": name, "email": email }))
            .send()
            .await
            .expect("POST /customers")
    }

    /// Creates a customer that must succeed, returning its JSON.
    pub async fn created(&self, name: &str, email: &str) -> Value {
        let response = self.create(name, email).await;
        assert_eq!(response.status(), 201);
        response.json().await.expect("customer JSON")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http.get(format!("{}{path}", self.base)).send().await.expect("GET")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.http.post(format!("{}{path}", self.base)).json(body).send().await.expect("POST")
    }

    pub async fn outbox_rows(&self) -> i64 {
        self.db.count("SELECT count(*) FROM outbox").await
    }

    pub async fn customer_rows(&self) -> i64 {
        self.db.count("SELECT count(*) FROM customers").await
    }

    pub async fn cleanup(self) {
        testkit::delete_topology(&self.broker.url, &self.topology()).await;
        self.db.cleanup().await;
    }
}

pub fn email(tag: &str) -> String {
    format!("{}@example.com", testkit::unique(tag))
}

/// Asserts the error shape and code, returning the error object.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "status for expected {code}");
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "body: {body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {body}");
    body["error"].clone()
}
