use std::time::Duration;

use serde_json::Value;
use sync_core::SharedRateLimit;

use crate::event::RemoteCustomer;
use crate::{StripeCallError, StripeHttp};

/// Pages of `GET /v1/events` read per poll at most; a guard against a
/// cursor that does not move, far above what a few seconds produce.
const MAX_PAGES: usize = 1_000;

/// What the inward sync reads from Stripe: a customer's current state (to
/// settle events of the same second) and the event list (poll mode).
pub struct StripeApi {
    http: StripeHttp,
    limiter: Option<SharedRateLimit>,
}

/// One page of a Stripe list: its items, and the id to continue after.
pub struct Page {
    pub items: Vec<Value>,
    pub next: Option<String>,
}

impl StripeApi {
    pub fn new(api_base: &str, secret_key: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        Ok(Self { http: StripeHttp::new(api_base, secret_key, timeout)?, limiter: None })
    }

    /// Every call first takes its turn from `limiter`, the calls-per-second
    /// budget the workers share (Stripe limits the account).
    pub fn with_rate_limit(mut self, limiter: Option<SharedRateLimit>) -> Self {
        self.limiter = limiter;
        self
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, StripeCallError> {
        if let Some(limiter) = &self.limiter {
            limiter.acquire().await.map_err(|e| StripeCallError {
                status: None,
                message: format!("waiting for the rate limit: {e}"),
                retry_after: None,
                should_retry: Some(true),
                kept: false,
            })?;
        }
        self.http.get_json(path, query).await
    }

    /// One page of `GET /v1/customers` (deleted customers are not listed).
    pub async fn customers_page(&self, after: Option<&str>, limit: u32) -> Result<Page, StripeCallError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(after) = after {
            query.push(("starting_after", after.to_owned()));
        }
        let page = self.get("/customers", &query).await?;
        let items = page.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
        let has_more = page.get("has_more").and_then(Value::as_bool).unwrap_or(false);
        let last = items.last().and_then(|c| c.get("id")).and_then(Value::as_str).map(str::to_owned);
        let next = last.filter(|last| has_more && after != Some(last.as_str()));
        Ok(Page { items, next })
    }

    /// The customer as Stripe holds it now, `deleted` when Stripe says so
    /// (it answers a deleted customer's retrieve with `deleted: true`).
    /// `None` when Stripe has no such customer in this account: a 404 is
    /// also what another account or the other mode (test, live) answers,
    /// so it is no word that the customer was deleted.
    pub async fn customer(&self, id: &str) -> Result<Option<RemoteCustomer>, StripeCallError> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            // Never put into a path: no Stripe id looks like this.
            return Ok(None);
        }
        match self.get(&format!("/customers/{id}"), &[]).await {
            Ok(value) => RemoteCustomer::from_value(&value).map(Some).map_err(|e| StripeCallError {
                status: None,
                message: format!("unexpected customer from Stripe: {e}"),
                retry_after: None,
                should_retry: Some(false),
                kept: false,
            }),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The event with this id, as Stripe holds it; `None` when Stripe knows
    /// no such event.
    pub async fn event(&self, id: &str) -> Result<Option<Value>, StripeCallError> {
        // Stripe's ids are letters, digits and `_`; anything else is no id of theirs.
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Ok(None);
        }
        match self.get(&format!("/events/{id}"), &[]).await {
            Ok(event) => Ok(Some(event)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every event created at or after `created_from`, in no particular
    /// order: Stripe lists newest first, the emulator oldest first, and
    /// `starting_after` walks either list to its end, so both are read whole.
    /// The flag is false when the read stopped early (the cursor must stay).
    pub async fn events_since(&self, created_from: i64) -> Result<(Vec<Value>, bool), StripeCallError> {
        let mut events: Vec<Value> = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![("limit", "100".to_owned()), ("created[gte]", created_from.to_string())];
            if let Some(after) = &after {
                query.push(("starting_after", after.clone()));
            }
            let page = self.get("/events", &query).await?;
            let data = page.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
            let last = data.last().and_then(|e| e.get("id")).and_then(Value::as_str).map(str::to_owned);
            events.extend(data);
            let has_more = page.get("has_more").and_then(Value::as_bool).unwrap_or(false);
            match last {
                Some(last) if has_more && after.as_deref() != Some(last.as_str()) => after = Some(last),
                _ => return Ok((events, true)),
            }
        }
        log::warn!("stopped reading Stripe's event list after {MAX_PAGES} pages; the rest comes with the next poll");
        Ok((events, false))
    }
}
