use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;
use shared_models::error::Context;
use shared_models::metrics;

use crate::event::StripeEvent;
use crate::signature::SignatureError;
use crate::startup::AppState;
use crate::{inbound, Error};

/// Stripe's events are at most a few hundred KiB; anything far larger is not one.
const MAX_BODY: usize = 1 << 20;

/// `POST /webhooks/stripe`: checks the signature on the raw bytes, then
/// stores the event in the inbox. The 2xx means it is stored durably; it is
/// applied right after, by the processor.
pub async fn receive(state: web::Data<AppState>, req: HttpRequest, payload: web::Payload) -> Result<HttpResponse, Error> {
    let received = accept(&state, &req, payload).await;
    let (event_type, outcome) = match &received {
        Ok((event, true)) => (event.event_type.as_str(), "accepted"),
        Ok((event, false)) => (event.event_type.as_str(), "duplicate"),
        Err(_) => ("unknown", "refused"),
    };
    metrics::WEBHOOK_EVENTS.with_label_values(&[event_type, "received", outcome]).inc();
    let (event, stored) = received?;
    Ok(HttpResponse::Ok().json(json!({ "received": true, "id": event.id, "duplicate": !stored })))
}

/// The event, and whether it is new to the inbox.
async fn accept(state: &AppState, req: &HttpRequest, payload: web::Payload) -> Result<(StripeEvent, bool), Error> {
    if !state.webhooks_on {
        return Err(Error::WebhooksOff);
    }
    let body = match payload.to_bytes_limited(MAX_BODY).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => return Err(Error::BodyUnreadable(e.to_string())),
        Err(_) => return Err(Error::PayloadTooLarge(MAX_BODY)),
    };
    let header = match req.headers().get("Stripe-Signature") {
        Some(value) => Some(value.to_str().map_err(|_| SignatureError::Malformed("not visible ASCII"))?),
        None => None,
    };
    state.verifier.verify(header, &body, chrono::Utc::now().timestamp())?;
    let (event, value) = StripeEvent::parse(&body)?;
    let mut conn = state.pool.get().await.context("checking out a connection for a webhook")?;
    let stored = inbound::store(&mut conn, &event, &value, "webhook").await?;
    if stored {
        log::info!("event {} ({}) received by webhook", event.id, event.event_type);
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
    HttpResponse::NotFound().json(json!({"error": {"code": "not_found", "message": "no such route"}}))
}

pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(json!({"error": {"code": "method_not_allowed", "message": "Stripe webhooks are POSTed"}}))
}
