//! The `/_control` routes for the org's settings, sharing, merges, clock,
//! delete log, locators and connected app (listed in `control_http`'s
//! module doc). Each calls the `Controls` method of the same name.

use chrono::TimeDelta;
use serde_json::{json, Value};

use super::controls::Controls;
use super::duplicates::{DuplicateAction, DuplicateMatching};
use super::errors::SfError;
use super::time;

fn bad(message: impl Into<String>) -> SfError {
    SfError::new(400, "INVALID_CONTROL", message)
}

/// The answer to `method` on `segments`, or `None` if no route matches.
pub fn route(controls: &Controls, method: &str, segments: &[&str], body: &Value) -> Option<Result<Value, SfError>> {
    let flag = |name: &str| body.get(name).and_then(Value::as_bool);
    let strings =
        |name: &str| -> Vec<&str> { body.get(name).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect() };
    let done = Ok(json!({"ok": true}));
    Some(match (method, segments) {
        ("PUT", ["sharing"]) => {
            if flag("showAll") == Some(true) {
                controls.show_all_contacts();
            }
            if flag("hideAll") == Some(true) {
                controls.hide_all_contacts();
            }
            controls.hide_contacts(&strings("hidden"));
            done
        }
        ("POST", ["merge"]) => match body.get("master").and_then(Value::as_str) {
            Some(master) => controls.merge_contacts(master, &strings("losers")).map(|()| json!({"ok": true})),
            None => Err(bad("a merge needs a master id")),
        },
        ("PUT", ["duplicate-rule"]) => duplicate_rule(controls, body),
        ("PUT", ["email-internationalization"]) => {
            controls.email_internationalization(flag("on").unwrap_or(true));
            done
        }
        ("PUT", ["precondition-precision"]) => {
            controls.precondition_precision(flag("millis").unwrap_or(false));
            done
        }
        ("GET", ["clock"]) => Ok(json!({"now": time::format(controls.now())})),
        ("PUT", ["clock"]) => match body.get("skewSeconds").and_then(Value::as_f64) {
            Some(seconds) => {
                // Whole milliseconds: the org's clock keeps no finer time.
                controls.skew_clock(TimeDelta::milliseconds((seconds * 1000.0).round() as i64));
                Ok(json!({"now": time::format(controls.now())}))
            }
            None => Err(bad("skewSeconds must be a number")),
        },
        ("POST", ["deleted", "purge"]) => {
            controls.purge_delete_log();
            done
        }
        ("PUT", ["deleted", "id-limit"]) => match body.get("limit").and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok()) {
            Some(limit) => {
                controls.deleted_id_limit(limit);
                done
            }
            None => Err(bad("limit must be a whole number")),
        },
        ("PUT", ["deleted", "hold"]) => match body.get("at") {
            None | Some(Value::Null) => {
                controls.hold_latest_covered(None);
                done
            }
            Some(at) => match at.as_str().and_then(time::parse) {
                Some(at) => {
                    controls.hold_latest_covered(Some(at));
                    done
                }
                None => Err(bad(format!("at is not a datetime: {at}"))),
            },
        },
        ("PUT", ["deleted", "empty-purges"]) => {
            controls.empty_recycle_bin_purges_log(flag("on").unwrap_or(true));
            done
        }
        ("PUT", ["deleted", "lists-hidden"]) => {
            controls.deleted_lists_hidden(flag("on").unwrap_or(true));
            done
        }
        ("POST", ["query-locators", "expire"]) => {
            controls.expire_query_locators();
            done
        }
        ("POST", ["app", "revoke"]) => {
            controls.revoke_app();
            done
        }
        ("POST", ["app", "restore"]) => {
            controls.restore_app();
            done
        }
        _ => return None,
    })
}

/// `{"on": false}` (none), `{"on": true}` (email + alert, as of old), or
/// `{"matching": "email"|"standard", "action": "alert"|"block"}`.
fn duplicate_rule(controls: &Controls, body: &Value) -> Result<Value, SfError> {
    if body.get("matching").is_none() && body.get("action").is_none() {
        controls.duplicate_rule(body.get("on").and_then(Value::as_bool).unwrap_or(true));
        return Ok(json!({"ok": true}));
    }
    let matching = match body.get("matching").and_then(Value::as_str).unwrap_or("email") {
        "email" => DuplicateMatching::EmailExact,
        "standard" => DuplicateMatching::StandardContact,
        other => return Err(bad(format!("matching is email or standard, not {other}"))),
    };
    let action = match body.get("action").and_then(Value::as_str).unwrap_or("alert") {
        "alert" => DuplicateAction::Alert,
        "block" => DuplicateAction::Block,
        other => return Err(bad(format!("action is alert or block, not {other}"))),
    };
    controls.set_duplicate_rule(Some((matching, action)));
    Ok(json!({"ok": true}))
}
