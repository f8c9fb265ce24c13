//! A thin client of Salesforce's REST API: a token by the OAuth 2.0 client
//! credentials flow (fetched again once when a call answers 401), every call
//! under `{instance_url}/services/data/v{version}`, and the org's API usage
//! read from each answer's `Sforce-Limit-Info`, so the caller can slow down
//! before the daily quota runs out.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use sync_core::SyncError;
use tokio::sync::RwLock;

use crate::server_clock::ServerClock;

/// How the connected app signs in.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The org's My Domain URL (the client credentials flow is served
    /// there only).
    pub login_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Token {
    access_token: String,
    instance_url: String,
}

/// An answer: its status and JSON body (`Null` when it had none).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub raw: Vec<u8>,
}

pub struct SalesforceHttp {
    pub(crate) http: reqwest::Client,
    pub(crate) credentials: Credentials,
    api_version: String,
    pub(crate) token: RwLock<Option<Token>>,
    /// (used, allowed) API calls of the last 24 hours, as last reported, and when.
    usage: Mutex<Option<(u64, u64, Instant)>>,
    /// Share of the daily quota (percent) left to the org's other apps:
    /// below it, calls wait instead of spending it.
    reserve_percent: u64,
    /// How long a spent (or reserved) quota is waited for before one call
    /// reads how much has freed up.
    quota_wait: Duration,
    /// Salesforce's clock, as its answers tell it: times sent to
    /// Salesforce are on its clock.
    clock: ServerClock,
    /// How long changes wait after a refused sign-in.
    pub(crate) sign_in_wait: Duration,
}

impl SalesforceHttp {
    pub fn new(credentials: Credentials, api_version: &str, timeout: Duration) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("catalog-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Permanent { message: format!("cannot build the Salesforce client: {e}") })?;
        Ok(Self {
            http,
            credentials,
            api_version: api_version.trim_start_matches('v').to_owned(),
            token: RwLock::new(None),
            usage: Mutex::new(None),
            reserve_percent: 0,
            quota_wait: crate::errors::QUOTA_WAIT,
            clock: ServerClock::default(),
            sign_in_wait: crate::sign_in::SIGN_IN_WAIT,
        })
    }

    /// Leaves `percent` of the daily quota to the org's other apps.
    pub fn with_quota_reserve(mut self, percent: u64) -> Self {
        self.reserve_percent = percent.min(90);
        self
    }

    /// Waits `wait` at a time for a spent or reserved quota.
    pub fn with_quota_wait(mut self, wait: Duration) -> Self {
        self.quota_wait = wait;
        self
    }

    /// Changes wait `wait` after Salesforce refused the sign-in.
    pub fn with_sign_in_wait(mut self, wait: Duration) -> Self {
        self.sign_in_wait = wait;
        self
    }

    pub fn quota_wait(&self) -> Duration {
        self.quota_wait
    }

    /// Waits (a transient error) when the last answer said that less than
    /// the reserve is left: slowing down before the wall, not at it.
    fn check_reserve(&self) -> Result<(), SyncError> {
        let Some((used, allowed, at)) = self.usage.lock().ok().and_then(|u| *u) else { return Ok(()) };
        // The quota is a rolling 24-hour count: after a wait, one call goes
        // through to read how much has freed up.
        if at.elapsed() >= self.quota_wait {
            return Ok(());
        }
        let left = allowed.saturating_sub(used);
        if allowed > 0 && left.saturating_mul(100) < allowed.saturating_mul(self.reserve_percent) {
            let message = format!(
                "Salesforce's API quota is at {used}/{allowed}: the last {}% is left to the org's other apps",
                self.reserve_percent
            );
            return Err(SyncError::Transient { message, retry_after: Some(self.quota_wait) });
        }
        Ok(())
    }

    /// Now on Salesforce's clock, as far as its answers' `Date` tells (to a
    /// second); ours until it answered once.
    pub fn server_now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset()
    }

    /// A time of our clock on Salesforce's. Its clock is learnt from its
    /// answers, so a client that has had none signs in first.
    pub async fn to_server_time(&self, ours: chrono::DateTime<chrono::Utc>) -> Result<chrono::DateTime<chrono::Utc>, SyncError> {
        if self.clock.offset().is_none() {
            self.token(false).await?;
        }
        Ok(ours + self.clock_offset())
    }

    /// Salesforce's clock less ours (zero until it answered once).
    pub fn clock_offset(&self) -> chrono::TimeDelta {
        self.clock.offset().unwrap_or_default()
    }

    /// (used, allowed) API calls, as Salesforce last reported them.
    pub fn usage(&self) -> Option<(u64, u64)> {
        self.usage.lock().ok().and_then(|u| *u).map(|(used, allowed, _)| (used, allowed))
    }

    /// Sends `method path` (under `/services/data/vNN.0`), fetching a token
    /// first when there is none and once more when the answer is 401.
    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>, headers: &[(&str, String)]) -> Result<Answer, SyncError> {
        self.check_reserve()?;
        let answer = self.send(method.clone(), path, body, headers, false).await?;
        if answer.status != StatusCode::UNAUTHORIZED {
            return Ok(answer);
        }
        // An expired session: one new token, one more try.
        self.send(method, path, body, headers, true).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, String)],
        renew: bool,
    ) -> Result<Answer, SyncError> {
        let token = self.token(renew).await?;
        let url = if path.starts_with("/services/") {
            format!("{}{path}", token.instance_url.trim_end_matches('/'))
        } else {
            format!("{}/services/data/v{}{path}", token.instance_url.trim_end_matches('/'), self.api_version)
        };
        let mut request =
            self.http.request(method, url).bearer_auth(&token.access_token).header("Sforce-Call-Options", "client=catalog-sync");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport)?;
        self.note_usage(response.headers());
        self.note_clock(response.headers());
        let status = response.status();
        let raw = response.bytes().await.map_err(transport)?.to_vec();
        let body = if raw.is_empty() { Value::Null } else { serde_json::from_slice(&raw).unwrap_or(Value::Null) };
        Ok(Answer { status, body, raw })
    }

    pub(crate) fn note_clock(&self, headers: &reqwest::header::HeaderMap) {
        if let Some(date) = headers.get(reqwest::header::DATE).and_then(|v| v.to_str().ok()) {
            self.clock.note(date);
        }
    }

    fn note_usage(&self, headers: &reqwest::header::HeaderMap) {
        let Some(info) = headers.get("Sforce-Limit-Info").and_then(|v| v.to_str().ok()) else { return };
        if let Some(usage) = parse_limit_info(info) {
            if let Ok(mut held) = self.usage.lock() {
                *held = Some((usage.0, usage.1, Instant::now()));
            }
        }
    }
}

/// `api-usage=12/15000` → (12, 15000).
pub fn parse_limit_info(header: &str) -> Option<(u64, u64)> {
    let usage = header.split(';').map(str::trim).find_map(|part| part.strip_prefix("api-usage="))?;
    let (used, allowed) = usage.split_once('/')?;
    Some((used.trim().parse().ok()?, allowed.trim().parse().ok()?))
}

pub(crate) fn transport(e: reqwest::Error) -> SyncError {
    SyncError::Transient { message: format!("Salesforce could not be reached: {e}"), retry_after: None }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_api_usage_header() {
        assert_eq!(super::parse_limit_info("api-usage=12/15000"), Some((12, 15_000)));
        assert_eq!(super::parse_limit_info("per-app-api-usage=1/10(appName=x); api-usage=7/100"), Some((7, 100)));
        assert_eq!(super::parse_limit_info("api-usage=x/1"), None);
    }
}
