use std::time::Duration;

use reqwest::Client;
use serde_json::{json, Value};
use shared_models::config::Settings;
use shared_models::db::sync_links::{self, SyncLink};
use testkit::{TestBroker, TestDb};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub const WAIT: Duration = Duration::from_secs(30);

/// api-service (with its relay) plus any number of workers, on a fresh
/// database and fresh queue names.
pub struct Stack {
    pub db: TestDb,
    pub broker: TestBroker,
    pub settings: Settings,
    pub api: String,
    pub http: Client,
    workers: Vec<(CancellationToken, JoinHandle<()>)>,
}

pub struct WorkerHandle {
    pub shutdown: CancellationToken,
    pub task: JoinHandle<()>,
}

impl Stack {
    pub async fn start(stripe_base: &str) -> Self {
        Self::start_with(stripe_base, |_| {}).await
    }

    /// `tweak` adjusts the settings of both services (e.g. retry limits).
    pub async fn start_with(stripe_base: &str, tweak: impl Fn(&mut Settings)) -> Self {
        Self::start_custom(stripe_base, tweak, None).await
    }

    /// As `start_with`, with the API reaching RabbitMQ at `api_amqp_url`.
    pub async fn start_custom(stripe_base: &str, tweak: impl Fn(&mut Settings), api_amqp_url: Option<String>) -> Self {
        let db = TestDb::create().await;
        let broker = TestBroker::new();
        let mut settings = testkit::settings(&db.url, &broker.url, &broker.prefix, stripe_base);
        tweak(&mut settings);
        let mut api_settings = settings.clone();
        if let Some(url) = api_amqp_url {
            api_settings.broker.url = url;
        }
        let app = api_service::Application::build(api_settings).await.expect("build api-service");
        let api = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self { db, broker, settings, api, http: testkit::http(), workers: Vec::new() }
    }

    /// Starts a worker with the stack's settings, kept until cleanup.
    pub fn add_worker(&mut self) {
        let handle = spawn_worker(&self.settings);
        self.workers.push((handle.shutdown, handle.task));
    }

    pub async fn create(&self, name: &str, email: &str) -> Value {
        let response =
            self.http.post(format!("{}/customers", self.api)).json(&json!({"name": name, "email": email})).send().await.expect("POST");
        assert_eq!(response.status(), 201, "create {email}");
        response.json().await.expect("JSON")
    }

    pub async fn patch(&self, id: &str, body: Value) -> Value {
        let response = self.http.patch(format!("{}/customers/{id}", self.api)).json(&body).send().await.expect("PATCH");
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON")
    }

    pub async fn delete(&self, id: &str) {
        let response = self.http.delete(format!("{}/customers/{id}", self.api)).send().await.expect("DELETE");
        assert_eq!(response.status(), 204);
    }

    pub async fn get(&self, id: &str) -> Value {
        self.http.get(format!("{}/customers/{id}", self.api)).send().await.expect("GET").json().await.expect("JSON")
    }

    /// The Stripe link of a customer, read from the database (a deleted
    /// customer's link is no longer visible through the API).
    pub async fn link(&self, id: &str) -> Option<SyncLink> {
        let id = Uuid::parse_str(id).expect("uuid");
        let mut conn = self.db.connect().await;
        let mut links = sync_links::for_entities(&mut conn, "customer", &[id]).await.expect("links");
        links.remove(&id).and_then(|l| l.into_iter().find(|l| l.integration == "stripe"))
    }

    /// Waits until Stripe holds `version` of the customer.
    pub async fn wait_synced(&self, id: &str, version: i64) -> SyncLink {
        testkit::wait_for(&format!("customer {id} to sync version {version}"), WAIT, || async {
            self.link(id).await.filter(|l| l.status == "synced" && l.synced_version >= version)
        })
        .await
    }

    pub fn work_queue(&self) -> String {
        self.broker.topology(&self.settings).work_queue("stripe", "customer")
    }

    pub fn dead_queue(&self) -> String {
        self.broker.topology(&self.settings).dead_queue("stripe", "customer")
    }

    pub async fn cleanup(mut self) {
        for (token, task) in self.workers.drain(..) {
            token.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        testkit::delete_topology(&self.broker.url, &self.broker.topology(&self.settings)).await;
        self.db.cleanup().await;
    }
}

pub fn spawn_worker(settings: &Settings) -> WorkerHandle {
    let worker = sync_worker::customers_to_stripe(settings).expect("build worker");
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(worker.run(shutdown.clone()));
    WorkerHandle { shutdown, task }
}

pub fn email(tag: &str) -> String {
    format!("{}@example.com", testkit::unique(tag))
}
