use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::process::{Child, Command};

/// A localstripe emulator of this test's own, on a free port, killed on drop.
pub struct LocalStripe {
    pub url: String,
    http: reqwest::Client,
    _child: Child,
}

fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("LOCALSTRIPE_BIN") {
        return PathBuf::from(path);
    }
    // testkit/ sits in the workspace root; scripts/setup-test-env.sh makes .venv there.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/localstripe")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

impl LocalStripe {
    pub async fn start() -> Self {
        let bin = binary();
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(&bin)
                .args(["--port", &port.to_string(), "--from-scratch"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start localstripe at {} ({e}); run scripts/setup-test-env.sh or set LOCALSTRIPE_BIN", bin.display())
                });
            let this = Self { url: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new(), _child: child };
            for _ in 0..100 {
                match this.http.get(format!("{}/v1/customers", this.url)).bearer_auth("sk_test_x").send().await {
                    Ok(r) if r.status().is_success() => return this,
                    Ok(r) => last_error = format!("status {}", r.status()),
                    Err(e) => last_error = e.to_string(),
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        panic!("localstripe did not come up: {last_error}");
    }

    async fn call(&self, method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> Value {
        let response = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth("sk_test_x")
            .form(form)
            .send()
            .await
            .expect("call localstripe");
        response.json().await.expect("localstripe JSON")
    }

    /// A form POST to any of the emulator's endpoints, as the dashboard
    /// would make it.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        self.call(reqwest::Method::POST, path, form).await
    }

    /// Every Stripe customer with this exact email.
    pub async fn customers_by_email(&self, email: &str) -> Vec<Value> {
        let page = self.call(reqwest::Method::GET, &format!("/v1/customers?limit=100&email={}", urlencode(email)), &[]).await;
        page["data"].as_array().cloned().unwrap_or_default()
    }

    pub async fn customer(&self, id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/v1/customers/{id}"), &[]).await
    }

    pub async fn create_customer(&self, form: &[(&str, &str)]) -> Value {
        self.call(reqwest::Method::POST, "/v1/customers", form).await
    }

    pub async fn update_customer(&self, id: &str, form: &[(&str, &str)]) -> Value {
        self.call(reqwest::Method::POST, &format!("/v1/customers/{id}"), form).await
    }

    pub async fn delete_customer(&self, id: &str) -> Value {
        self.call(reqwest::Method::DELETE, &format!("/v1/customers/{id}"), &[]).await
    }

    /// Every event the emulator made, oldest first (its order).
    pub async fn events(&self) -> Vec<Value> {
        let page = self.call(reqwest::Method::GET, "/v1/events?limit=1000", &[]).await;
        page["data"].as_array().cloned().unwrap_or_default()
    }

    /// Points the emulator's webhook `name` at `url`, signed with `secret`.
    pub async fn register_webhook(&self, name: &str, url: &str, secret: &str) {
        let response = self
            .http
            .post(format!("{}/_config/webhooks/{name}", self.url))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await
            .expect("register webhook");
        assert!(response.status().is_success(), "registering the webhook: {}", response.status());
    }

    pub async fn all_customers(&self) -> Vec<Value> {
        let page = self.call(reqwest::Method::GET, "/v1/customers?limit=100", &[]).await;
        page["data"].as_array().cloned().unwrap_or_default()
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
