use std::time::Duration;

use bytes::Bytes;
use shared_models::metrics;
use stripe_client_core::{CustomizedStripeRequest, StripeClient, StripeClientErr, StripeMethod};

pub use crate::call_error::StripeCallError;

/// Sends async-stripe requests over reqwest to `STRIPE_API_BASE`, once each.
#[derive(Clone)]
pub struct StripeHttp {
    http: reqwest::Client,
    base: String,
    authorization: String,
}

impl StripeHttp {
    pub fn new(api_base: &str, secret_key: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("catalog-sync/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, base: api_base.trim_end_matches('/').to_owned(), authorization: format!("Bearer {secret_key}") })
    }
}

impl StripeClient for StripeHttp {
    type Err = StripeCallError;

    async fn execute(&self, req: CustomizedStripeRequest) -> Result<Bytes, StripeCallError> {
        let (builder, config) = req.into_pieces();
        let mut url = format!("{}/v1{}", self.base, builder.path);
        if let Some(query) = builder.query.filter(|q| !q.is_empty()) {
            url.push('?');
            url.push_str(&query);
        }
        let method = match builder.method {
            StripeMethod::Get => reqwest::Method::GET,
            StripeMethod::Post => reqwest::Method::POST,
            StripeMethod::Delete => reqwest::Method::DELETE,
        };
        let mut request = self
            .http
            .request(method, url)
            .header("Authorization", &self.authorization)
            .header("Stripe-Version", stripe_client_core::VERSION.as_str());
        if let Some(key) = config.request_strategy.and_then(|s| s.get_key()) {
            request = request.header("Idempotency-Key", key.as_str());
        }
        if let Some(body) = builder.body {
            request = request.header("Content-Type", "application/x-www-form-urlencoded").body(body);
        }
        if let Some(timeout) = config.timeout {
            request = request.timeout(timeout);
        }
        send(request).await
    }
}

impl StripeHttp {
    /// A GET read as plain JSON: for objects whose shape depends on the
    /// account's API version (events and what they carry), which the typed
    /// requests would refuse.
    pub async fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<serde_json::Value, StripeCallError> {
        let request = self
            .http
            .get(format!("{}/v1{path}", self.base))
            .query(query)
            .header("Authorization", &self.authorization)
            .header("Stripe-Version", stripe_client_core::VERSION.as_str());
        let body = send(request).await?;
        serde_json::from_slice(&body).map_err(StripeCallError::deserialize_err)
    }
}

impl StripeHttp {
    /// A form-encoded call answered as JSON of the caller's own type: for
    /// objects whose JSON the emulator gives without fields that
    /// async-stripe's types require (invoices, their lines).
    pub async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeCallError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/v1{path}", self.base))
            .header("Authorization", &self.authorization)
            .header("Stripe-Version", stripe_client_core::VERSION.as_str());
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        request = match method {
            reqwest::Method::GET => request.query(form),
            _ => request.form(form),
        };
        let body = send(request).await?;
        serde_json::from_slice(&body).map_err(StripeCallError::deserialize_err)
    }
}

/// Sends once and counts the call by outcome and latency.
async fn send(request: reqwest::RequestBuilder) -> Result<Bytes, StripeCallError> {
    let (client, request) = request.build_split();
    let request = request.map_err(|e| StripeCallError {
        status: None,
        message: e.to_string(),
        retry_after: None,
        should_retry: Some(false),
        kept: false,
    })?;
    let method = request.method().to_string();
    let path = metrics::path_template(request.url().path());
    let started = std::time::Instant::now();
    let result = send_once(client.execute(request)).await;
    let outcome = match &result {
        Ok(_) => "ok",
        Err(e) => match e.status {
            None => "network_error",
            Some(404) => "not_found",
            Some(429) => "rate_limited",
            Some(s) if s >= 500 => "server_error",
            Some(_) => "client_error",
        },
    };
    metrics::STRIPE_CALLS.with_label_values(&[&method, &path, outcome]).inc();
    metrics::STRIPE_SECONDS.with_label_values(&[&method, &path]).observe(started.elapsed().as_secs_f64());
    result
}

/// A non-2xx answer becomes an error with Stripe's retry hints.
async fn send_once(response: impl std::future::Future<Output = reqwest::Result<reqwest::Response>>) -> Result<Bytes, StripeCallError> {
    let response = response.await.map_err(|e| StripeCallError {
        status: None,
        message: e.to_string(),
        retry_after: None,
        should_retry: None,
        kept: false,
    })?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| StripeCallError {
        status: Some(status.as_u16()),
        message: e.to_string(),
        retry_after: None,
        should_retry: None,
        kept: false,
    })?;
    if status.is_success() {
        return Ok(body);
    }
    let retry_after = headers
        .get("Retry-After")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64);
    let should_retry = headers.get("Stripe-Should-Retry").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<bool>().ok());
    let replayed = headers.get("Idempotent-Replayed").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let kept = status.is_server_error() && replayed;
    Err(StripeCallError { status: Some(status.as_u16()), message: error_message(&body), retry_after, should_retry, kept })
}

/// Stripe's `{"error": {"message": ...}}`, or the start of whatever came back.
fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.pointer("/error/message").and_then(|m| m.as_str()).map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_prefers_stripes_message() {
        assert_eq!(error_message(br#"{"error":{"message":"No such customer"}}"#), "No such customer");
        assert_eq!(error_message(b"<html>bad gateway"), "<html>bad gateway");
    }
}
