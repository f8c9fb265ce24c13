use std::time::Duration;

use reqwest::Client;
use serde_json::{json, Value};
use shared_models::config::Settings;
use shared_models::db::inbound_events::{self, InboundEvent};
use stripe_integration::signature::sign;
use testkit::{LocalStripe, TestBroker, TestDb};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use webhook_service::StopHandle;

pub const WAIT: Duration = Duration::from_secs(30);
pub const SECRET: &str = "whsec_test";

/// webhook-service with api-service (for reading the catalog the way users
/// do) on a fresh database and broker names, next to an emulator of its own.
pub struct Inward {
    pub db: TestDb,
    pub broker: TestBroker,
    pub settings: Settings,
    pub stripe: LocalStripe,
    pub http: Client,
    pub api: String,
    pub hooks: String,
    webhook: Option<StopHandle>,
    worker: Option<(CancellationToken, JoinHandle<()>)>,
}

impl Inward {
    /// `mode`: INWARD_MODE. `tweak` adjusts the settings of every service.
    pub async fn start(mode: &str, tweak: impl Fn(&mut Settings)) -> Self {
        let stripe = LocalStripe::start().await;
        let db = TestDb::create().await;
        let broker = TestBroker::new();
        let mut settings = testkit::settings(&db.url, &broker.url, &broker.prefix, &stripe.url);
        settings.sync.inward_mode = mode.into();
        tweak(&mut settings);
        let app = api_service::Application::build(settings.clone()).await.expect("build api-service");
        let api = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let mut this = Self { db, broker, settings, stripe, http: testkit::http(), api, hooks: String::new(), webhook: None, worker: None };
        this.start_webhook_service().await;
        this
    }

    /// The stack in webhook mode, with a customer made in Stripe while
    /// webhook-service was down (its email): what a reconcile brings in.
    pub async fn with_missed_customer(tag: &str) -> (Self, String) {
        let mut stack = Self::start("webhook", |_| {}).await;
        stack.stop_webhook_service().await;
        let address = email(tag);
        stack.stripe.create_customer(&[("name", "Missed"), ("email", &address)]).await;
        (stack, address)
    }

    /// (Re)starts webhook-service on a new port and points the emulator's
    /// webhook at it (in modes that take webhooks).
    pub async fn start_webhook_service(&mut self) {
        let app = webhook_service::Application::build(&self.settings).expect("build webhook-service");
        self.hooks = format!("http://127.0.0.1:{}", app.port());
        self.webhook = Some(app.stop_handle());
        tokio::spawn(app.run_until_stopped());
        if self.settings.sync.inward_mode != "poll" {
            self.stripe.register_webhook("catalog-sync", &format!("{}/webhooks/stripe", self.hooks), SECRET).await;
        }
    }

    pub async fn stop_webhook_service(&mut self) {
        if let Some(handle) = self.webhook.take() {
            handle.stop().await;
        }
    }

    pub fn start_worker(&mut self) {
        let worker = sync_worker::customers_to_stripe(&self.settings).expect("build worker");
        let token = CancellationToken::new();
        let task = tokio::spawn(worker.run(token.clone()));
        self.worker = Some((token, task));
    }

    /// Stops the worker after the messages in hand.
    pub async fn stop_worker(&mut self) {
        if let Some((token, task)) = self.worker.take() {
            token.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }

    /// POSTs `body` to the webhook endpoint with `signature` as the header.
    pub async fn deliver_raw(&self, body: &[u8], signature: Option<&str>) -> reqwest::Response {
        let mut request = self.http.post(format!("{}/webhooks/stripe", self.hooks)).body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        request.send().await.expect("POST webhook")
    }

    /// Delivers `event` signed as Stripe would, now.
    pub async fn deliver(&self, event: &Value) -> reqwest::Response {
        let body = event.to_string();
        let signature = sign(SECRET, chrono::Utc::now().timestamp(), body.as_bytes());
        self.deliver_raw(body.as_bytes(), Some(&signature)).await
    }

    /// Waits until the inbox has handled the event.
    pub async fn handled(&self, event_id: &str) -> InboundEvent {
        testkit::wait_for(&format!("event {event_id} to be handled"), WAIT, || async {
            let mut conn = self.db.connect().await;
            inbound_events::find(&mut conn, "stripe", event_id).await.unwrap().filter(|e| e.status != "pending")
        })
        .await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(format!("{}{path}", self.api)).send().await.expect("GET");
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// Creates a customer through the API; returns its id.
    pub async fn create_local(&self, name: &str, email: &str) -> String {
        let response = self.http.post(format!("{}/customers", self.api)).json(&json!({"name": name, "email": email})).send().await.unwrap();
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
    }

    /// Renames a customer through the API.
    pub async fn rename_local(&self, id: &str, name: &str) {
        let response = self.http.patch(format!("{}/customers/{id}", self.api)).json(&json!({ "name": name })).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }

    /// Waits until the API shows that Stripe holds `version` of the customer.
    pub async fn wait_synced(&self, id: &str, version: i64) {
        testkit::wait_for(&format!("version {version} of {id} in Stripe"), WAIT, || async {
            let (_, customer) = self.get(&format!("/customers/{id}")).await;
            let link = &customer["sync"]["stripe"];
            (link["status"] == "synced" && link["synced_version"] == version).then_some(())
        })
        .await;
    }

    /// The local customers with this email (through the API).
    pub async fn local_by_email(&self, email: &str) -> Vec<Value> {
        let (_, page) = self.get(&format!("/customers?email={email}")).await;
        page["data"].as_array().cloned().unwrap_or_default()
    }

    pub async fn cleanup(mut self) {
        self.stop_webhook_service().await;
        self.stop_worker().await;
        testkit::delete_topology(&self.broker.url, &self.broker.topology(&self.settings)).await;
        self.db.cleanup().await;
    }
}

/// A customer event as Stripe sends it (2017-08-15 shape, like the emulator).
pub fn customer_event(id: &str, kind: &str, created: i64, customer: Value) -> Value {
    json!({
        "id": id, "object": "event", "api_version": "2017-08-15", "created": created, "livemode": false,
        "type": format!("customer.{kind}"), "data": {"object": customer},
    })
}

pub fn remote_customer(id: &str, name: &str, email: &str) -> Value {
    json!({"id": id, "object": "customer", "name": name, "email": email, "metadata": {}, "created": 1_700_000_000})
}

pub fn email(tag: &str) -> String {
    format!("{}@example.com", testkit::unique(tag))
}

pub fn event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

pub fn customer_id() -> String {
    format!("cus_{}", &uuid::Uuid::new_v4().simple().to_string()[..14])
}
