use actix_web::HttpRequest;

use crate::error::ApiError;

const HEADER: &str = "Idempotency-Key";
/// Stripe's own limit, so a key that works with us also works with Stripe.
const MAX_KEY_CHARS: usize = 255;

/// The client's `Idempotency-Key`, if it sent one.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else { return Ok(None) };
    let key = value.to_str().map_err(|_| ApiError::InvalidIdempotencyKey("Idempotency-Key must be visible ASCII".into()))?.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(ApiError::InvalidIdempotencyKey(format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} characters")));
    }
    Ok(Some(key.to_owned()))
}

/// Fingerprint of the parsed request, to refuse a key reused for another body.
pub use shared_models::sync::fingerprint;
