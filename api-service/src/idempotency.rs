use actix_web::HttpRequest;
use ring::digest;

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
pub fn fingerprint(parts: &[&str]) -> String {
    let mut ctx = digest::Context::new(&digest::SHA256);
    for part in parts {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    ctx.finish().as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::fingerprint;

    #[test]
    fn fingerprint_separates_fields() {
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
    }
}
