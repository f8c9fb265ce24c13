//! A failed Stripe call, and what it means for the retry decision.

use std::fmt::Display;
use std::time::Duration;

use stripe_client_core::StripeClientErr;
use sync_core::SyncError;

/// A failed Stripe call, with what the retry decision needs.
#[derive(Debug, Clone)]
pub struct StripeCallError {
    pub status: Option<u16>,
    pub message: String,
    pub retry_after: Option<Duration>,
    pub should_retry: Option<bool>,
    /// A 5xx that Stripe replayed from the request's idempotency key
    /// (`Idempotent-Replayed: true`): the request under that key has
    /// finished, and Stripe saved its failure ("Stripe saves the resulting
    /// status code and body of the first request made for any given
    /// idempotency key, regardless of whether it succeeds or fails ...
    /// including 500 errors", docs.stripe.com/api/idempotent_requests).
    /// Only then is the key known to be spent: a first 5xx may come from
    /// in front of Stripe while the request itself is still on its way.
    pub kept: bool,
}

impl StripeClientErr for StripeCallError {
    fn deserialize_err(msg: impl Display) -> Self {
        Self {
            status: None,
            message: format!("unexpected response from Stripe: {msg}"),
            retry_after: None,
            should_retry: Some(false),
            kept: false,
        }
    }
}

impl StripeCallError {
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl From<StripeCallError> for SyncError {
    /// Stripe's own hint wins; otherwise network errors, 409 (a concurrent
    /// request with the same idempotency key), 429 and 5xx are transient.
    fn from(e: StripeCallError) -> Self {
        if e.kept {
            // Whatever Stripe's hint: the key is spent, a new one may help.
            let status = e.status.unwrap_or(500);
            return SyncError::Unsettled { message: format!("Stripe answered {status}, kept under the key: {}", e.message) };
        }
        let transient = match (e.should_retry, e.status) {
            (Some(hint), _) => hint,
            (None, None) => true,
            (None, Some(s)) => s == 409 || s == 429 || s >= 500,
        };
        let message = match e.status {
            Some(s) => format!("Stripe answered {s}: {}", e.message),
            None => format!("Stripe call failed: {}", e.message),
        };
        if transient {
            SyncError::Transient { message, retry_after: e.retry_after }
        } else {
            SyncError::Permanent { message }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(status: Option<u16>, should_retry: Option<bool>) -> SyncError {
        StripeCallError { status, message: "x".into(), retry_after: None, should_retry, kept: false }.into()
    }

    #[test]
    fn classifies_failures_like_stripe_documents() {
        assert!(matches!(err(None, None), SyncError::Transient { .. }));
        assert!(matches!(err(Some(429), None), SyncError::Transient { .. }));
        assert!(matches!(err(Some(503), None), SyncError::Transient { .. }));
        assert!(matches!(err(Some(400), None), SyncError::Permanent { .. }));
        assert!(matches!(err(Some(500), Some(false)), SyncError::Permanent { .. }));
        assert!(matches!(err(Some(400), Some(true)), SyncError::Transient { .. }));
        let kept = |status: u16, hint: Option<bool>| StripeCallError {
            status: Some(status),
            message: "x".into(),
            retry_after: None,
            should_retry: hint,
            kept: true,
        };
        assert!(matches!(SyncError::from(kept(500, Some(false))), SyncError::Unsettled { .. }));
        assert!(matches!(SyncError::from(kept(503, None)), SyncError::Unsettled { .. }));
        assert!(matches!(err(Some(500), None), SyncError::Transient { .. }), "a first 500: sent again under its key");
    }
}
