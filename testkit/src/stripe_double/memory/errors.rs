//! Stripe's error answers, in the shape its clients parse:
//! `{"error": {"type", "code", "message", "param"}}`. A refusal carries
//! its status, so a handler returns `Result<Value, Refusal>` and the router
//! turns either side into an answer.

use serde_json::{json, Value};

/// An answer other than 200, with Stripe's error body.
#[derive(Debug)]
pub(super) struct Refusal {
    pub status: u16,
    pub body: Value,
    /// Refused while checking the parameters, before the endpoint began to
    /// run: Stripe saves no answer under the idempotency key for it
    /// (https://docs.stripe.com/api/idempotent_requests: "If incoming
    /// parameters fail validation, or the request conflicts with another
    /// that's executing concurrently, no idempotent result is saved"), so
    /// the same key may be sent again, corrected.
    pub validation: bool,
}

/// `code` and `param` are always present, `null` when Stripe gives none,
/// so a test can compare them without first asking whether they exist.
fn refusal(status: u16, kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> Refusal {
    let body = json!({"error": {"type": kind, "code": code, "message": message, "param": param}});
    Refusal { status, body, validation: false }
}

/// A 400 invalid_request_error.
pub(super) fn invalid(code: Option<&str>, message: &str, param: Option<&str>) -> Refusal {
    refusal(400, "invalid_request_error", code, message, param)
}

/// A 400 for a parameter refused before the endpoint runs (see
/// `Refusal::validation`).
pub(super) fn invalid_parameter(code: Option<&str>, message: &str, param: Option<&str>) -> Refusal {
    Refusal { validation: true, ..invalid(code, message, param) }
}

/// An object named by the path that does not exist: 404. Named by a
/// parameter instead (`customer=` of an invoice), Stripe answers 400 with
/// the same message, hence `status`.
pub(super) fn no_such(status: u16, kind: &str, id: &str, param: &str) -> Refusal {
    refusal(status, "invalid_request_error", Some("resource_missing"), &format!("No such {kind}: '{id}'"), Some(param))
}

pub(super) fn unknown_parameter(key: &str) -> Refusal {
    invalid_parameter(Some("parameter_unknown"), &format!("Received unknown parameter: {key}"), Some(key))
}

pub(super) fn missing_parameter(key: &str) -> Refusal {
    invalid_parameter(Some("parameter_missing"), &format!("Missing required param: {key}."), Some(key))
}

/// A value of the wrong kind: "Invalid integer: abc", as Stripe words it.
/// Only codes from Stripe's list (https://docs.stripe.com/error-codes):
/// `parameter_invalid_integer` for an integer, and none for the other
/// kinds (a boolean, a decimal), for which the list has no code.
pub(super) fn invalid_value(key: &str, kind: &str, value: &str) -> Refusal {
    let code = (kind == "integer").then_some("parameter_invalid_integer");
    invalid_parameter(code, &format!("Invalid {kind}: {value}"), Some(key))
}

/// A call the invoice's status does not allow: Stripe names the status the
/// invoice is in, which is what a sync needs to decide its next step. The
/// code is `status_transition_invalid` from Stripe's list
/// (https://docs.stripe.com/error-codes: "The requested status transition
/// is not valid"); that invoices' moves carry it could not be verified,
/// and the client reads only the message.
pub(super) fn wrong_status(action: &str, allowed: &str, status: &str) -> Refusal {
    invalid(Some("status_transition_invalid"), &format!("You can only {action} an invoice that is {allowed}; this one is {status}."), None)
}

/// A field Stripe locks once an invoice is finalized.
pub(super) fn not_editable(param: &str, status: &str) -> Refusal {
    let message = format!(
        "Finalized invoices can't be updated in this way: `{param}` is locked once an invoice is finalized (this one is {status})."
    );
    invalid(Some("invoice_not_editable"), &message, Some(param))
}

/// A charge the test asked to fail (`fail_next_payment`): the card error
/// Stripe gives a declined card, with its 402.
pub(super) fn card_declined() -> Refusal {
    Refusal {
        status: 402,
        body: json!({"error": {
            "type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
            "message": "Your card was declined.", "param": null
        }}),
        validation: false,
    }
}

/// A route the double does not serve: Stripe's 404 for an unknown URL.
pub(super) fn not_served(method: &str, path: &str) -> Refusal {
    let message = format!("Unrecognized request URL ({method}: {path}); the double does not serve it.");
    refusal(404, "invalid_request_error", None, &message, None)
}
