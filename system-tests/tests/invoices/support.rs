use std::time::Duration;

use reqwest::Client;
use serde_json::{json, Value};
use shared_models::config::Settings;
use testkit::{StripeDouble, TestBroker, TestDb};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use webhook_service::StopHandle;

pub const WAIT: Duration = Duration::from_secs(30);
pub const SECRET: &str = "whsec_test";

/// Which worker to run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pair {
    Customers,
    Invoices,
}

/// The whole system in-process (api-service with its relay, webhook-service
/// with its poller, the workers of both Stripe pairs) on a fresh database
/// and queue names, next to a Stripe double of its own that answers from
/// memory: localstripe has no one-off invoices, no finalize and no line
/// endpoints (INVOICE_FACTS.md), so every invoice test talks to the double.
pub struct Billing {
    pub db: TestDb,
    pub broker: TestBroker,
    pub settings: Settings,
    pub stripe: StripeDouble,
    pub http: Client,
    pub api: String,
    pub hooks: String,
    webhook: Option<StopHandle>,
    workers: Vec<(Pair, CancellationToken, JoinHandle<()>)>,
}

impl Billing {
    /// `mode`: INWARD_MODE (`poll` reads the double's event list, `webhook`
    /// takes only what a test delivers). No worker runs yet.
    pub async fn start(mode: &str, tweak: impl Fn(&mut Settings)) -> Self {
        Self::start_on(None, mode, tweak).await
    }

    /// As `start`, with the double forwarding every call to `upstream`
    /// (localstripe) instead of answering from memory.
    pub async fn start_on(upstream: Option<String>, mode: &str, tweak: impl Fn(&mut Settings)) -> Self {
        let stripe = StripeDouble::start(upstream).expect("start the Stripe double");
        let db = TestDb::create().await;
        let broker = TestBroker::new();
        let mut settings = testkit::settings(&db.url, &broker.url, &broker.prefix, &stripe.url);
        settings.sync.inward_mode = mode.into();
        settings.stripe.poll_interval_ms = 200;
        tweak(&mut settings);
        let app = api_service::Application::build(settings.clone()).await.expect("build api-service");
        let api = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let hooks_app = webhook_service::Application::build(&settings).expect("build webhook-service");
        let hooks = format!("http://127.0.0.1:{}", hooks_app.port());
        let webhook = Some(hooks_app.stop_handle());
        tokio::spawn(hooks_app.run_until_stopped());
        Self { db, broker, settings, stripe, http: testkit::http(), api, hooks, webhook, workers: Vec::new() }
    }

    /// The stack with both workers running.
    pub async fn running(mode: &str) -> Self {
        let mut stack = Self::start(mode, |_| {}).await;
        stack.start_worker(Pair::Customers);
        stack.start_worker(Pair::Invoices);
        stack
    }

    pub fn start_worker(&mut self, pair: Pair) {
        let token = CancellationToken::new();
        let task = match pair {
            Pair::Customers => tokio::spawn(wiring::customers_to_stripe(&self.settings).expect("customer worker").run(token.clone())),
            Pair::Invoices => tokio::spawn(wiring::invoices_to_stripe(&self.settings).expect("invoice worker").run(token.clone())),
        };
        self.workers.push((pair, token, task));
    }

    /// Stops the pair's worker after the messages in hand.
    pub async fn stop_worker(&mut self, pair: Pair) {
        let (stopping, kept): (Vec<_>, Vec<_>) = self.workers.drain(..).partition(|(p, _, _)| *p == pair);
        self.workers = kept;
        for (_, token, task) in stopping {
            token.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }

    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.api)).json(body).send().await.expect("POST");
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http.get(format!("{}{path}", self.api)).send().await.expect("GET").json().await.expect("JSON")
    }

    /// A customer made through the API; its id.
    pub async fn customer(&self, name: &str) -> String {
        let email = format!("{}@example.com", testkit::unique(name));
        let (status, customer) = self.post("/customers", &json!({"name": name, "email": email})).await;
        assert_eq!(status, 201, "{customer}");
        customer["id"].as_str().expect("id").to_owned()
    }

    /// Waits until the customer is in Stripe; its Stripe id.
    pub async fn customer_in_stripe(&self, id: &str) -> String {
        testkit::wait_for(&format!("customer {id} in Stripe"), WAIT, || async {
            let customer = self.get(&format!("/customers/{id}")).await;
            customer["sync"]["stripe"]["external_id"].as_str().map(str::to_owned)
        })
        .await
    }

    /// An invoice made through the API.
    pub async fn invoice(&self, body: Value) -> Value {
        let (status, invoice) = self.post("/invoices", &body).await;
        assert_eq!(status, 201, "{invoice}");
        invoice
    }

    pub async fn patch(&self, id: &str, body: Value) -> Value {
        let response = self.http.patch(format!("{}/invoices/{id}", self.api)).json(&body).send().await.expect("PATCH");
        assert_eq!(response.status(), 200);
        response.json().await.expect("JSON")
    }

    /// `POST /invoices/{id}/{command}`, which must succeed.
    pub async fn command(&self, id: &str, command: &str) -> Value {
        let (status, invoice) = self.post(&format!("/invoices/{id}/{command}"), &json!({})).await;
        assert_eq!(status, 200, "{command}: {invoice}");
        invoice
    }

    pub async fn local(&self, id: &str) -> Value {
        self.get(&format!("/invoices/{id}")).await
    }

    /// Waits until the local invoice satisfies `check`.
    pub async fn wait_local(&self, id: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        testkit::wait_for(&format!("invoice {id}: {what}"), WAIT, || async {
            let invoice = self.local(id).await;
            check(&invoice).then_some(invoice)
        })
        .await
    }

    /// Waits until Stripe holds `version` of the invoice (by its sync state).
    pub async fn wait_synced(&self, id: &str, version: i64) -> Value {
        self.wait_local(id, &format!("version {version} in Stripe"), |invoice| {
            let link = &invoice["sync"]["stripe"];
            link["status"] == "synced" && link["synced_version"].as_i64() >= Some(version)
        })
        .await
    }

    /// Stripe's invoices that carry our id.
    pub fn remotes(&self, id: &str) -> Vec<Value> {
        self.stripe.invoices().into_iter().filter(|i| i["metadata"]["catalog_sync_id"] == id).collect()
    }

    /// The one Stripe invoice of ours, as Stripe holds it now.
    pub fn remote(&self, id: &str) -> Value {
        let mut found = self.remotes(id);
        assert_eq!(found.len(), 1, "one Stripe invoice for {id}: {found:?}");
        found.remove(0)
    }

    /// Our writes to Stripe so far (the dashboard's are not in the log).
    pub fn writes(&self) -> usize {
        self.stripe.log().iter().filter(|c| c.method != "GET").count()
    }

    pub async fn cleanup(mut self) {
        if let Some(handle) = self.webhook.take() {
            handle.stop().await;
        }
        for (_, token, task) in self.workers.drain(..) {
            token.cancel();
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        testkit::delete_topology(&self.broker.url, &self.broker.topology(&self.settings)).await;
        self.db.cleanup().await;
        self.stripe.stop().await;
    }
}

pub fn line(description: &str, quantity: i64, unit_amount: i64) -> Value {
    json!({"description": description, "quantity": quantity, "unit_amount": unit_amount})
}

/// A Stripe invoice's lines as (description, quantity, amount), in order.
pub fn billed(remote: &Value) -> Vec<(String, i64, i64)> {
    let lines = remote["lines"]["data"].as_array().cloned().unwrap_or_default();
    lines
        .iter()
        .map(|l| {
            (
                l["description"].as_str().unwrap_or_default().to_owned(),
                l["quantity"].as_i64().unwrap_or(1),
                l["amount"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}
