//! Stripe's idempotency keys, as Stripe applies them when a request lands:
//! the same key replays the stored answer, the same key with other
//! parameters is refused (400), and a key whose first request is still
//! running is refused (409). localstripe ignores keys, so the double keeps
//! them for it.

use std::collections::HashMap;

use serde_json::json;

/// What a key holds.
enum Entry {
    Running { params: Vec<(String, String)> },
    Done { params: Vec<(String, String)>, status: u16, body: String },
}

/// What to do with a request that carries a key.
pub enum Admission {
    /// First use of the key: execute it, then `finish`.
    Execute,
    /// The key's answer, replayed.
    Replay { status: u16, body: String },
    /// Refused without executing (409 or 400).
    Refuse { status: u16, body: String },
}

#[derive(Default)]
pub struct Keys {
    entries: HashMap<String, Entry>,
    replays: u64,
}

/// The request's parameters as Stripe compares them: the method, the path
/// and the form fields in any order.
pub fn params(method: &str, path: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    fields.sort();
    fields.insert(0, (method.to_owned(), path.to_owned()));
    fields
}

fn error(kind: &str, code: Option<&str>, message: &str) -> String {
    json!({"error": {"type": kind, "code": code, "message": message}}).to_string()
}

impl Keys {
    pub fn admit(&mut self, key: &str, params: Vec<(String, String)>) -> Admission {
        match self.entries.get(key) {
            None => {
                self.entries.insert(key.to_owned(), Entry::Running { params });
                Admission::Execute
            }
            // https://docs.stripe.com/error-codes#idempotency-key-in-use:
            // "The idempotency key provided is currently being used in
            // another request."
            Some(Entry::Running { .. }) => Admission::Refuse {
                status: 409,
                body: error(
                    "idempotency_error",
                    Some("idempotency_key_in_use"),
                    "There is currently another in-progress request using this Stripe-Idempotency-Key. Please try again later.",
                ),
            },
            Some(Entry::Done { params: first, .. }) if *first != params => Admission::Refuse {
                status: 400,
                body: error(
                    "idempotency_error",
                    None,
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                ),
            },
            Some(Entry::Done { status, body, .. }) => {
                self.replays += 1;
                Admission::Replay { status: *status, body: body.clone() }
            }
        }
    }

    /// Stores the answer of an executed request. As Stripe does, a request
    /// that never began executing (our upstream unreachable) frees the key.
    pub fn finish(&mut self, key: &str, status: u16, body: &str, executed: bool) {
        let Some(Entry::Running { params }) = self.entries.remove(key) else { return };
        if executed {
            self.entries.insert(key.to_owned(), Entry::Done { params, status, body: body.to_owned() });
        }
    }

    /// How many answers were replayed from a key.
    pub fn replays(&self) -> u64 {
        self.replays
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_replays_refuses_other_parameters_and_refuses_while_running() {
        let mut keys = Keys::default();
        let first = params("POST", "/v1/customers", b"name=A&email=a%40x.io");
        let same_other_order = params("POST", "/v1/customers", b"email=a%40x.io&name=A");
        assert!(matches!(keys.admit("k", first.clone()), Admission::Execute));
        assert!(matches!(keys.admit("k", first.clone()), Admission::Refuse { status: 409, .. }));
        keys.finish("k", 200, "{}", true);
        assert!(matches!(keys.admit("k", same_other_order), Admission::Replay { status: 200, .. }));
        let other = params("POST", "/v1/customers", b"name=B&email=a%40x.io");
        assert!(matches!(keys.admit("k", other), Admission::Refuse { status: 400, .. }));
        assert_eq!(keys.replays(), 1);
    }

    #[test]
    fn a_request_that_never_ran_frees_its_key() {
        let mut keys = Keys::default();
        let p = params("POST", "/v1/customers", b"name=A");
        assert!(matches!(keys.admit("k", p.clone()), Admission::Execute));
        keys.finish("k", 502, "{}", false);
        assert!(matches!(keys.admit("k", p), Admission::Execute));
    }
}
