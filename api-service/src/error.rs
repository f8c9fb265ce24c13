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
    /// A command the invoice's status does not allow (409).
    #[error("{0}")]
    InvalidTransition(String),
    /// A field an invoice past its draft no longer takes (409).
    #[error("{0}")]
    NotEditable(String),
    /// A customer with drafts or open invoices cannot be deleted (409).
    #[error("{0}")]
    CustomerHasOpenInvoices(String),
    /// The database, the pool or the broker failed; the cause is kept for
    /// the log, and whether it is passing (503) or not (500) is read from it.
    #[error(transparent)]
    Store(#[from] shared_models::Error),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("internal error: {0}")]
    Internal(String),
    /// No key, or not a live one (401).
    #[error("{0}")]
    Unauthorized(String),
    /// A live key without the scope the endpoint needs (403).
    #[error("{0}")]
    Forbidden(String),
}

impl From<shared_models::auth::AuthError> for ApiError {
    fn from(e: shared_models::auth::AuthError) -> Self {
        use shared_models::auth::AuthError;
        match e {
            AuthError::Missing | AuthError::Invalid => ApiError::Unauthorized(e.to_string()),
            AuthError::Forbidden(_) => ApiError::Forbidden(e.to_string()),
            AuthError::Unavailable(cause) => ApiError::Store(cause),
        }
    }
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
    InvalidTransition,
    NotEditable,
    CustomerHasOpenInvoices,
    ServiceUnavailable,
    InternalError,
    Unauthorized,
    Forbidden,
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
            ApiError::InvalidTransition(_) => ErrorCode::InvalidTransition,
            ApiError::NotEditable(_) => ErrorCode::NotEditable,
            ApiError::CustomerHasOpenInvoices(_) => ErrorCode::CustomerHasOpenInvoices,
            ApiError::Store(_) | ApiError::Database(_) if self.is_passing() => ErrorCode::ServiceUnavailable,
            ApiError::Store(_) | ApiError::Database(_) | ApiError::Internal(_) => ErrorCode::InternalError,
            ApiError::Unauthorized(_) => ErrorCode::Unauthorized,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
        }
    }

    /// A failure that goes away by itself: a lost connection, a pool
    /// exhausted, the broker away.
    fn is_passing(&self) -> bool {
        use diesel::result::{DatabaseErrorKind, Error};
        let lost = |e: &Error| {
            // diesel-async reports a connection that died under a query (an
            // error without a SQLSTATE) as UnableToSendCommand.
            matches!(
                e,
                Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _)
                    | Error::BrokenTransactionManager
            )
        };
        match self {
            ApiError::Store(shared_models::Error::Database { source, .. }) | ApiError::Database(source) => lost(source),
            ApiError::Store(
                shared_models::Error::Pool { .. } | shared_models::Error::Broker { .. } | shared_models::Error::PublishNotConfirmed(_),
            ) => true,
            _ => false,
        }
    }

    /// What the caller is told. A server error's own text (the database's,
    /// the broker's) is for our log only.
    fn public_message(&self) -> String {
        match self.code() {
            ErrorCode::ServiceUnavailable => "the service cannot reach its database or broker right now; try again shortly".into(),
            ErrorCode::InternalError => "the request could not be handled; see the service's log".into(),
            _ => self.to_string(),
        }
    }

    /// The response body of this error.
    pub fn body(&self) -> ErrorBody {
        let field = match self {
            ApiError::Validation { field, .. } => field.clone(),
            _ => None,
        };
        ErrorBody { error: ErrorDetail { code: self.code(), field, message: self.public_message() } }
    }

    pub fn customer_not_found(id: &str) -> Self {
        ApiError::NotFound(format!("no customer with id '{id}'"))
    }

    pub fn invoice_not_found(id: &str) -> Self {
        ApiError::NotFound(format!("no invoice with id '{id}'"))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::Validation { field: Some(e.field().to_owned()), message: e.to_string() }
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
            ApiError::EmailTaken(_)
            | ApiError::AlreadyRunning(_)
            | ApiError::InvalidTransition(_)
            | ApiError::NotEditable(_)
            | ApiError::CustomerHasOpenInvoices(_) => StatusCode::CONFLICT,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Store(_) | ApiError::Database(_) | ApiError::Internal(_) => match self.code() {
                ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        if self.status_code().is_server_error() {
            log::error!("request failed: {self}");
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::Unauthorized(_)) {
            response.insert_header((actix_web::http::header::WWW_AUTHENTICATE, "Bearer"));
        }
        response.json(self.body())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;

    use super::{ApiError, ErrorCode};

    #[test]
    fn a_server_error_keeps_its_cause_for_the_log_and_tells_the_caller_nothing_internal() {
        let pool = ApiError::from(shared_models::Error::Pool { context: "reading", message: "pg_hba.conf rejects 10.0.0.9".into() });
        assert_eq!((pool.status_code().as_u16(), pool.code()), (503, ErrorCode::ServiceUnavailable));
        assert!(pool.to_string().contains("pg_hba.conf"), "the cause is kept: {pool}");
        let query = ApiError::from(diesel::result::Error::QueryBuilderError("relation \"customers\" does not exist".into()));
        assert_eq!((query.status_code().as_u16(), query.code()), (500, ErrorCode::InternalError));
        for error in [pool, query] {
            let body = serde_json::to_string(&error.body()).unwrap_or_default();
            assert!(!body.contains("pg_hba") && !body.contains("relation"), "{body}");
        }
    }
}
