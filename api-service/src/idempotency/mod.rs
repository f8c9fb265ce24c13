//! Idempotent requests. A client that sends an `Idempotency-Key` may retry a
//! create (or any other command) safely: the first response is stored with
//! the key, in the transaction that made it, and every retry of the same
//! body gets it back ([`once`]). This module reads the key; `replay` runs
//! the command once and replays it.

mod replay;

use actix_web::HttpRequest;

use crate::error::ApiError;

pub use replay::once;

const HEADER: &str = "Idempotency-Key";
/// Stripe's own limit, so a key that works with us also works with Stripe.
const MAX_KEY_CHARS: usize = 255;

/// What tells one request from another for replay: the endpoint, the
/// client's key (if it sent one) and the fingerprint of its parsed body.
#[derive(Debug)]
pub struct Request {
    /// The endpoint (`POST /customers`): one key may be used on two
    /// endpoints without the second replaying the first.
    scope: &'static str,
    key: Option<String>,
    /// Refuses a key reused for another body.
    fingerprint: String,
}

impl Request {
    /// `body` is the parsed request's fields, in a fixed order: a body sent
    /// again with other whitespace or key order is the same request.
    pub fn read(req: &HttpRequest, scope: &'static str, body: &[&str]) -> Result<Self, ApiError> {
        Ok(Self { scope, key: key(req)?, fingerprint: shared_models::sync::fingerprint(body) })
    }
}

/// The client's `Idempotency-Key`, if it sent one.
fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    check(req.headers())
}

/// The `Idempotency-Key` in `headers`, checked: 1 to 255 visible ASCII
/// characters (spaces inside allowed; a tab or any other control is not).
/// The middleware checks it before the body is read, so a bad key is told
/// first whatever the body.
pub fn check(headers: &actix_web::http::header::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else { return Ok(None) };
    let visible = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    if !value.as_bytes().iter().all(visible) {
        return Err(ApiError::InvalidIdempotencyKey("Idempotency-Key must be visible ASCII (no tabs or control characters)".into()));
    }
    let key = value.to_str().map_err(|_| ApiError::InvalidIdempotencyKey("Idempotency-Key must be visible ASCII".into()))?.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(ApiError::InvalidIdempotencyKey(format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters")));
    }
    Ok(Some(key.to_owned()))
}
