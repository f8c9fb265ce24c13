//! Webhook delivery as Stripe does it: every event, as it is recorded,
//! POSTed to the endpoint with a `Stripe-Signature` header, so a test can
//! run the webhook service against the double's own events. One attempt
//! each, in the order the events happened (Stripe retries failures for
//! days; a test that wants a retry delivers again itself).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ring::hmac;
use serde_json::Value;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::lock;

/// How long the double waits for an endpoint's answer; Stripe gives up
/// after a few seconds too, and counts it a failure.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The `Stripe-Signature` header Stripe sends with `payload` at unix time
/// `t`: `t=<t>,v1=<hex HMAC-SHA256 of "{t}.{payload}">`, keyed by the
/// endpoint secret as given (`whsec_` prefix included), which is how the
/// webhook service verifies it.
pub fn sign_webhook(secret: &str, payload: &str, t: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let tag = hmac::sign(&key, format!("{t}.{payload}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// Each delivery so far: the event's id and the endpoint's status (0 when
/// no answer came).
pub(super) type Deliveries = Arc<Mutex<Vec<(String, u16)>>>;

/// Starts a task that delivers every event sent to the returned sender to
/// `url`, signed with `secret`, one after the other. It ends when the
/// sender is dropped (delivery replaced or the double stopped).
pub(super) fn deliver(http: reqwest::Client, url: String, secret: String, deliveries: Deliveries) -> UnboundedSender<Value> {
    let (sender, mut events) = unbounded_channel::<Value>();
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let id = event["id"].as_str().unwrap_or_default().to_owned();
            let payload = event.to_string();
            let signature = sign_webhook(&secret, &payload, chrono::Utc::now().timestamp());
            let answer = http
                .post(&url)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Stripe-Signature", signature)
                .body(payload)
                .send()
                .await;
            let status = answer.map_or(0, |response| response.status().as_u16());
            if !(200..300).contains(&status) {
                log::warn!("the Stripe double's webhook {id} to {url} got {status}");
            }
            lock(&deliveries).push((id, status));
        }
    });
    sender
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_stripe_documents() {
        // HMAC-SHA256 keyed "whsec_test" over "1700000000.{}", computed with Python's hmac.
        let header = sign_webhook("whsec_test", "{}", 1_700_000_000);
        assert_eq!(header, "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
        assert_ne!(sign_webhook("whsec_other", "{}", 1_700_000_000), header);
    }
}
