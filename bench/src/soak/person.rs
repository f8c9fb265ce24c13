//! Stripe as a person uses it in the dashboard: straight to the emulator,
//! never through the double (a person's changes are not our writes, and
//! play no faults). Also reads the whole of Stripe for the comparison.

use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::Value;

/// Customers or events per page, as Stripe allows at most.
const PAGE: usize = 100;

#[derive(Clone)]
pub struct Person {
    http: reqwest::Client,
    base: String,
}

/// A Stripe customer as the comparison reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RemoteCustomer {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `metadata.catalog_sync_id`: the local customer it stands for.
    pub ours: Option<String>,
}

impl RemoteCustomer {
    fn from_value(value: &Value) -> Option<Self> {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        Some(Self {
            id: text(&value["id"])?,
            name: text(&value["name"]),
            email: text(&value["email"]),
            ours: text(&value["metadata"]["catalog_sync_id"]),
        })
    }
}

impl Person {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let http = testkit::http_builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned() })
    }

    /// (status, body) of one call.
    async fn call(&self, method: reqwest::Method, path: &str, form: &[(&str, &str)]) -> anyhow::Result<(u16, Value)> {
        let response = self.http.request(method, format!("{}{path}", self.base)).bearer_auth("sk_test_soak").form(form).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    /// A new customer, made in the dashboard (no metadata): its Stripe id.
    pub async fn create(&self, name: &str, email: &str) -> anyhow::Result<String> {
        let (status, body) = self.call(reqwest::Method::POST, "/v1/customers", &[("name", name), ("email", email)]).await?;
        match body["id"].as_str() {
            Some(id) if status == 200 => Ok(id.to_owned()),
            _ => bail!("creating a customer answered {status}: {body}"),
        }
    }

    /// Edits the name and/or email; the status (404: gone).
    pub async fn update(&self, id: &str, name: Option<&str>, email: Option<&str>) -> anyhow::Result<u16> {
        let mut form = Vec::new();
        form.extend(name.map(|n| ("name", n)));
        form.extend(email.map(|e| ("email", e)));
        Ok(self.call(reqwest::Method::POST, &format!("/v1/customers/{id}"), &form).await?.0)
    }

    /// Deletes the customer; the status (404: gone already).
    pub async fn delete(&self, id: &str) -> anyhow::Result<u16> {
        Ok(self.call(reqwest::Method::DELETE, &format!("/v1/customers/{id}"), &[]).await?.0)
    }

    /// Every object of a list, paging with `starting_after`.
    async fn list_all(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let mut query = format!("{path}?limit={PAGE}");
            if let Some(last) = all.last().and_then(|o| o["id"].as_str()) {
                query.push_str(&format!("&starting_after={last}"));
            }
            let (status, page) = self.call(reqwest::Method::GET, &query, &[]).await?;
            if status != 200 {
                bail!("listing {path} answered {status}: {page}");
            }
            let data = page["data"].as_array().context("a list without data")?;
            all.extend(data.iter().cloned());
            if page["has_more"] != true || data.is_empty() {
                return Ok(all);
            }
        }
    }

    /// Every live customer in Stripe.
    pub async fn customers(&self) -> anyhow::Result<Vec<RemoteCustomer>> {
        Ok(self.list_all("/v1/customers").await?.iter().filter_map(RemoteCustomer::from_value).collect())
    }

    /// The id of every event Stripe made.
    pub async fn event_ids(&self) -> anyhow::Result<Vec<String>> {
        Ok(self.list_all("/v1/events").await?.iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect())
    }
}
