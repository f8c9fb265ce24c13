use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use shared_models::domain::DomainError;
use thiserror::Error;
use utoipa::ToSchema;

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
    #[error("{0}")]
    AlreadyRunning(String),
    #[error("service temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// What went wrong, for a program to act on.
// One per `ApiError` variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidJson,
    ValidationFailed,
    InvalidQuery,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotFound,
    EmailTaken,
    InvalidIdempotencyKey,
    IdempotencyKeyReused,
    AlreadyRunning,
    ServiceUnavailable,
    InternalError,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

// Fields in alphabetical order, as the body has always been written.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    /// The input field at fault, when one is (only with `validation_failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false, nullable = false, example = "email")]
    pub field: Option<String>,
    /// What is wrong, for a person to read.
    pub message: String,
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::InvalidJson(_) => ErrorCode::InvalidJson,
            ApiError::Validation { .. } => ErrorCode::ValidationFailed,
            ApiError::InvalidQuery(_) => ErrorCode::InvalidQuery,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::EmailTaken(_) => ErrorCode::EmailTaken,
            ApiError::InvalidIdempotencyKey(_) => ErrorCode::InvalidIdempotencyKey,
            ApiError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            ApiError::AlreadyRunning(_) => ErrorCode::AlreadyRunning,
            ApiError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            ApiError::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// The response body of this error.
    pub fn body(&self) -> ErrorBody {
        let field = match self {
            ApiError::Validation { field, .. } => field.clone(),
            _ => None,
        };
        ErrorBody { error: ErrorDetail { code: self.code(), field, message: self.to_string() } }
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
            shared_models::Error::Broker { .. } | shared_models::Error::PublishNotConfirmed(_) => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            // diesel-async reports a connection that died under a query (an
            // error without a SQLSTATE) as UnableToSendCommand.
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)
            | Error::BrokenTransactionManager => ApiError::Unavailable(format!("database connection lost: {e}")),
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
            ApiError::EmailTaken(_) | ApiError::AlreadyRunning(_) => StatusCode::CONFLICT,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if matches!(self, ApiError::Internal(_) | ApiError::Unavailable(_)) {
            log::error!("request failed: {self}");
        }
        HttpResponse::build(self.status_code()).json(self.body())
    }
}
