use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use stripe_integration::StripeCallError;
use thiserror::Error;

use crate::event::EventError;
use crate::signature::SignatureError;

#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Signature(#[from] SignatureError),
    #[error(transparent)]
    Event(#[from] EventError),
    #[error("this service does not take webhooks: INWARD_MODE is poll, or STRIPE_WEBHOOK_SECRET is not set")]
    WebhooksOff,
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body could not be read: {0}")]
    BodyUnreadable(String),
    #[error(transparent)]
    Shared(#[from] shared_models::Error),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("Stripe call failed: {}", .0.message)]
    Stripe(StripeCallError),
    /// Cannot happen for what the webhook and the poller stored; retrying
    /// would not help.
    #[error("the stored event cannot be read: {0}")]
    BadPayload(String),
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Another reconcile runs (its id, unless it ended meanwhile).
    #[error("another reconcile is running{}", .0.map(|id| format!(" ({id})")).unwrap_or_default())]
    AlreadyRunning(Option<uuid::Uuid>),
}

impl Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Signature(SignatureError::Missing) => "missing_signature",
            Error::Signature(SignatureError::Malformed(_)) => "malformed_signature",
            Error::Signature(SignatureError::NoV1 | SignatureError::Mismatch) => "invalid_signature",
            Error::Signature(SignatureError::OutsideTolerance { .. }) => "timestamp_outside_tolerance",
            Error::Event(EventError::InvalidJson(_)) => "invalid_json",
            Error::Event(EventError::NotAnEvent(_)) => "invalid_event",
            Error::WebhooksOff => "not_found",
            Error::AlreadyRunning(_) => "already_running",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::BodyUnreadable(_) => "invalid_body",
            Error::Shared(_) | Error::Database(_) => "service_unavailable",
            Error::Stripe(_) | Error::BadPayload(_) | Error::Config(_) => "internal_error",
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Signature(_) | Error::Event(_) | Error::BodyUnreadable(_) => StatusCode::BAD_REQUEST,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::WebhooksOff => StatusCode::NOT_FOUND,
            Error::AlreadyRunning(_) => StatusCode::CONFLICT,
            // Stripe retries a delivery that failed: the event is not lost.
            Error::Shared(_) | Error::Database(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Stripe(_) | Error::BadPayload(_) | Error::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            log::error!("webhook request failed: {self}");
        } else {
            log::warn!("webhook refused: {self}");
        }
        HttpResponse::build(self.status_code()).json(json!({"error": {"code": self.code(), "message": self.public_message()}}))
    }
}

impl Error {
    /// What the caller is told. A server error's own text (the database's,
    /// Stripe's) is for our log only: it may hold internals, or bytes of
    /// the request echoed back.
    fn public_message(&self) -> String {
        match self.status_code() {
            StatusCode::SERVICE_UNAVAILABLE => "the event could not be stored right now; deliver it again later".into(),
            status if status.is_server_error() => "the request could not be handled; see the service's log".into(),
            _ => self.to_string(),
        }
    }
}
