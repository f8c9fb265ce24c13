use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use shared_models::error::Context;
use shared_models::metrics;
use sync_core::inward::{self, Envelope, Refusal};

use crate::startup::AppState;
use crate::Error;

/// Integrations' events are at most a few hundred KiB; anything far larger is not one.
const MAX_BODY: usize = 1 << 20;

/// `POST /webhooks/{integration}`: the integration's feed checks the
/// signature on the raw bytes, then the event is stored in the inbox. The
/// 2xx means it is stored durably; it is applied right after, by the processor.
pub async fn receive(
    state: web::Data<AppState>,
    integration: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    let received = accept(&state, &integration, &req, payload).await;
    let (event_type, outcome) = match &received {
        Ok((event, true)) => (event.kind.as_str(), "accepted"),
        Ok((event, false)) => (event.kind.as_str(), "duplicate"),
        Err(_) => ("unknown", "refused"),
    };
    metrics::WEBHOOK_EVENTS.with_label_values(&[event_type, "received", outcome]).inc();
    let (event, stored) = received?;
    Ok(HttpResponse::Ok().json(json!({ "received": true, "id": event.id, "duplicate": !stored })))
}

/// The event, and whether it is new to the inbox.
async fn accept(state: &AppState, integration: &str, req: &HttpRequest, payload: web::Payload) -> Result<(Envelope, bool), Error> {
    let entry = state.feeds.iter().find(|f| f.feed.integration() == integration);
    let Some(entry) = entry else { return Err(Error::UnknownIntegration(integration.chars().take(64).collect())) };
    let feed = &entry.feed;
    if !entry.webhooks {
        return Err(Error::WebhooksOff(feed.integration()));
    }
    let body = match payload.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            // Its text (a corrupt gzip stream) is Rust's debug output: for the log.
            log::warn!("webhook body unreadable: {e}");
            return Err(Error::BodyUnreadable("is its Content-Encoding right?".into()));
        }
        Err(_) => return Err(Error::PayloadTooLarge(MAX_BODY)),
    };
    let signature = match req.headers().get(feed.signature_header()) {
        Some(value) => Some(value.to_str().map_err(|_| {
            Refusal::new("malformed_signature", format!("the {} header is malformed: not visible ASCII", feed.signature_header()))
        })?),
        None => None,
    };
    feed.verify(signature, &body, chrono::Utc::now().timestamp())?;
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| Refusal::new("invalid_json", format!("the body is not valid JSON: {e}")))?;
    let mut event = feed.envelope(&value)?;
    let value = if entry.confirm {
        // Applied as the integration holds it, never as delivered.
        let Some(held) = feed.retrieve(&event.id).await? else {
            let why = format!("{} knows no event {}: it is not applied", feed.integration(), event.id);
            return Err(Error::Refused(Refusal::new("unknown_event", why)));
        };
        let confirmed = feed.envelope(&held)?;
        if confirmed.id != event.id {
            return Err(Error::Refused(Refusal::new("unknown_event", "the event read back has another id")));
        }
        event = confirmed;
        held
    } else {
        value
    };
    let mut conn = state.pool.get().await.context("checking out a connection for a webhook")?;
    let stored = inward::store(&mut conn, feed.integration(), &event, &value, "webhook").await?;
    if stored {
        log::info!("event {} ({}) received by webhook", event.id, event.kind);
        state.wake.notify_one();
    } else {
        log::info!("event {} delivered again; already in the inbox", event.id);
    }
    Ok((event, stored))
}

pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().json(shared_models::http::error_body("not_found", "no such route"))
}

pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(shared_models::http::error_body("method_not_allowed", "webhooks are POSTed"))
}
