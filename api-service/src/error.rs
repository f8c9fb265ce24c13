use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use shared_models::domain::DomainError;
use thiserror::Error;

/// Every way a request can fail, mapped to HTTP in one place. The body is
/// always `{"error": {"code": ..., "message": ...}}` (plus `field` when one
/// input field is at fault).
#[derive(Debug, Error)]
pub enum ApiError {
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{message}")]
    Validation { field: Option<String>, message: String },
    #[error("{0}")]
    InvalidQuery(String),
    #[error("request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("{0}")]
    NotFound(String),
    #[error("a customer with email '{0}' already exists")]
    EmailTaken(String),
    #[error("{0}")]
    InvalidIdempotencyKey(String),
    #[error("this Idempotency-Key was already used with a different request body")]
    IdempotencyKeyReused,
    #[error("service temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::Validation { .. } => "validation_failed",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::NotFound(_) => "not_found",
            ApiError::EmailTaken(_) => "email_taken",
            ApiError::InvalidIdempotencyKey(_) => "invalid_idempotency_key",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    pub fn customer_not_found(id: &str) -> Self {
        ApiError::NotFound(format!("no customer with id '{id}'"))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::Validation { field: Some(e.field().to_owned()), message: e.to_string() }
    }
}

impl From<shared_models::Error> for ApiError {
    fn from(e: shared_models::Error) -> Self {
        match e {
            shared_models::Error::Pool { .. } => ApiError::Unavailable(e.to_string()),
            shared_models::Error::Database { source, .. } => ApiError::from(source),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) | Error::BrokenTransactionManager => {
                ApiError::Unavailable(format!("database connection lost: {e}"))
            }
            other => ApiError::Internal(format!("database error: {other}")),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidJson(_) | ApiError::InvalidQuery(_) | ApiError::InvalidIdempotencyKey(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation { .. } | ApiError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::EmailTaken(_) => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, ApiError::Internal(_) | ApiError::Unavailable(_)) {
            log::error!("request failed: {self}");
        }
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let ApiError::Validation { field: Some(field), .. } = self {
            error["field"] = json!(field);
        }
        HttpResponse::build(self.status_code()).json(json!({ "error": error }))
    }
}
