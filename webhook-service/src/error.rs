use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use sync_core::inward::Refusal;
use sync_core::SyncError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// The integration refused the delivery (its signature, its body).
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("no integration in force here is called '{0}'")]
    UnknownIntegration(String),
    #[error("this service does not take {0} webhooks: INWARD_MODE is poll, or the webhook secret is not set")]
    WebhooksOff(&'static str),
    #[error("the body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("the request body could not be read: {0}")]
    BodyUnreadable(String),
    #[error(transparent)]
    Shared(#[from] shared_models::Error),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Refused(refusal) => refusal.code,
            Error::UnknownIntegration(_) | Error::WebhooksOff(_) => "not_found",
            Error::Sync(SyncError::AlreadyRunning(_)) => "already_running",
            Error::PayloadTooLarge(_) => "payload_too_large",
            Error::BodyUnreadable(_) => "invalid_body",
            Error::Shared(_) | Error::Sync(SyncError::Database(_) | SyncError::Transient { .. }) => "service_unavailable",
            Error::Sync(_) | Error::Config(_) => "internal_error",
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Refused(_) | Error::BodyUnreadable(_) => StatusCode::BAD_REQUEST,
            Error::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnknownIntegration(_) | Error::WebhooksOff(_) => StatusCode::NOT_FOUND,
            Error::Sync(SyncError::AlreadyRunning(_)) => StatusCode::CONFLICT,
            // The integration retries a delivery that failed: the event is not lost.
            Error::Shared(_) | Error::Sync(SyncError::Database(_) | SyncError::Transient { .. }) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Sync(_) | Error::Config(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            log::error!("webhook request failed: {self}");
        } else {
            log::warn!("webhook refused: {self}");
        }
        HttpResponse::build(self.status_code()).json(shared_models::http::error_body(self.code(), self.public_message()))
    }
}

impl Error {
    /// What the caller is told. A server error's own text (the database's,
    /// an integration's) is for our log only: it may hold internals, or
    /// bytes of the request echoed back.
    fn public_message(&self) -> String {
        match self.status_code() {
            StatusCode::SERVICE_UNAVAILABLE => "the event could not be stored right now; deliver it again later".into(),
            status if status.is_server_error() => "the request could not be handled; see the service's log".into(),
            _ => self.to_string(),
        }
    }
}
