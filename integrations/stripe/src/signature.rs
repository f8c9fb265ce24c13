//! Stripe's webhook signature, checked as Stripe documents it: HMAC-SHA256
//! over `"{t}.{raw body}"` with the endpoint secret, hex-encoded as `v1`.

use ring::hmac;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(&'static str),
    #[error("the Stripe-Signature header has no v1 signature")]
    NoV1,
    #[error("no v1 signature matches the payload for any configured secret")]
    Mismatch,
    #[error("the signature timestamp is {age} s away from now, more than the {tolerance} s tolerated")]
    OutsideTolerance { age: i64, tolerance: u64 },
}

/// Checks signatures against every configured secret: while a secret is
/// rolled, Stripe signs with the old and the new one.
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<hmac::Key>,
    tolerance: u64,
}

impl Verifier {
    pub fn new(secrets: &[String], tolerance_seconds: u64) -> Self {
        // The secret is used as-is, `whsec_` prefix included.
        let keys = secrets.iter().map(|s| hmac::Key::new(hmac::HMAC_SHA256, s.as_bytes())).collect();
        Self { keys, tolerance: tolerance_seconds }
    }

    /// The header's timestamp when some `v1` matches `body` under some
    /// secret and the timestamp is within the tolerance of `now`.
    pub fn verify(&self, header: Option<&str>, body: &[u8], now: i64) -> Result<i64, SignatureError> {
        let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
        let mut timestamp = None;
        let mut has_v1 = false;
        let mut signatures = Vec::new();
        for item in header.split(',') {
            let (scheme, value) =
                item.trim().split_once('=').ok_or(SignatureError::Malformed("expected comma-separated key=value pairs"))?;
            match scheme {
                "t" => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed("t is not a unix timestamp"))?),
                // A value that is not hex cannot match; it is not an error of the header.
                "v1" => {
                    has_v1 = true;
                    signatures.extend(decode_hex(value));
                }
                // v0 (test-mode legacy) and schemes unknown to us are ignored, as Stripe asks.
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no t= timestamp"))?;
        if !has_v1 {
            return Err(SignatureError::NoV1);
        }
        let mut signed = Vec::with_capacity(body.len() + 12);
        signed.extend_from_slice(timestamp.to_string().as_bytes());
        signed.push(b'.');
        signed.extend_from_slice(body);
        // ring's verify compares in constant time.
        let matches = self.keys.iter().any(|key| signatures.iter().any(|sig| hmac::verify(key, &signed, sig).is_ok()));
        if !matches {
            return Err(SignatureError::Mismatch);
        }
        // Saturating: a signed `t` far in the past or future must not overflow.
        let age = now.saturating_sub(timestamp);
        if age.unsigned_abs() > self.tolerance {
            return Err(SignatureError::OutsideTolerance { age, tolerance: self.tolerance });
        }
        Ok(timestamp)
    }
}

fn decode_hex(value: &str) -> Option<Vec<u8>> {
    if !value.len().is_multiple_of(2) {
        return None;
    }
    (0..value.len()).step_by(2).map(|i| value.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

/// `t=...,v1=...` for `body`, signed with `secret`: what Stripe sends.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    let tag = hmac::sign(&key, &signed);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;
    const BODY: &[u8] = br#"{"id":"evt_1"}"#;

    fn verifier() -> Verifier {
        Verifier::new(&["whsec_new".into(), "whsec_old".into()], 300)
    }

    #[test]
    fn accepts_a_signature_made_with_any_configured_secret() {
        assert_eq!(verifier().verify(Some(&sign("whsec_new", NOW, BODY)), BODY, NOW), Ok(NOW));
        assert_eq!(verifier().verify(Some(&sign("whsec_old", NOW, BODY)), BODY, NOW), Ok(NOW));
    }

    #[test]
    fn accepts_when_any_v1_matches_and_ignores_v0_and_unknown_schemes() {
        let good = sign("whsec_old", NOW, BODY);
        let good_v1 = good.split(",v1=").nth(1).unwrap_or_default();
        let header = format!("t={NOW},v1={},v0=abcd,v9=zz,v1={good_v1}", "ab".repeat(32));
        assert_eq!(verifier().verify(Some(&header), BODY, NOW), Ok(NOW));
    }

    #[test]
    fn refuses_forgeries_wrong_secrets_and_tampered_bodies() {
        let other = sign("whsec_attacker", NOW, BODY);
        assert_eq!(verifier().verify(Some(&other), BODY, NOW), Err(SignatureError::Mismatch));
        let good = sign("whsec_new", NOW, BODY);
        assert_eq!(verifier().verify(Some(&good), br#"{"id":"evt_2"}"#, NOW), Err(SignatureError::Mismatch));
        let only_v0 = format!("t={NOW},v0={}", "ab".repeat(32));
        assert_eq!(verifier().verify(Some(&only_v0), BODY, NOW), Err(SignatureError::NoV1));
    }

    #[test]
    fn refuses_timestamps_outside_the_tolerance_either_way() {
        let old = sign("whsec_new", NOW - 301, BODY);
        assert!(matches!(verifier().verify(Some(&old), BODY, NOW), Err(SignatureError::OutsideTolerance { age: 301, .. })));
        let future = sign("whsec_new", NOW + 301, BODY);
        assert!(matches!(verifier().verify(Some(&future), BODY, NOW), Err(SignatureError::OutsideTolerance { .. })));
        let edge = sign("whsec_new", NOW - 300, BODY);
        assert_eq!(verifier().verify(Some(&edge), BODY, NOW), Ok(NOW - 300));
    }

    #[test]
    fn an_extreme_timestamp_is_outside_the_tolerance_not_an_overflow() {
        let extreme = sign("whsec_new", i64::MIN, BODY);
        assert!(matches!(verifier().verify(Some(&extreme), BODY, NOW), Err(SignatureError::OutsideTolerance { .. })));
        let extreme = sign("whsec_new", i64::MAX, BODY);
        assert!(matches!(verifier().verify(Some(&extreme), BODY, NOW), Err(SignatureError::OutsideTolerance { .. })));
    }

    #[test]
    fn names_what_is_wrong_with_a_malformed_header() {
        assert_eq!(verifier().verify(None, BODY, NOW), Err(SignatureError::Missing));
        assert_eq!(verifier().verify(Some("  "), BODY, NOW), Err(SignatureError::Missing));
        assert!(matches!(verifier().verify(Some("garbage"), BODY, NOW), Err(SignatureError::Malformed(_))));
        assert!(matches!(verifier().verify(Some("t=soon,v1=ab"), BODY, NOW), Err(SignatureError::Malformed(_))));
        assert!(matches!(verifier().verify(Some("v1=abcd"), BODY, NOW), Err(SignatureError::Malformed(_))));
    }
}
