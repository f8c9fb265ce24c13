//! The test controls over HTTP, under `/_control`, for a process that runs
//! the double as a binary (the local stack, a curl in the README). Each
//! route calls the `Controls` method of the same name. Bodies are JSON:
//!
//! - `GET /_control/contacts`, `POST /_control/contacts[?stamp=<datetime>]`
//!   (a person's create; `stamp` backdates it), `PATCH` and `DELETE
//!   /_control/contacts/{id}`, `POST /_control/recycle-bin/empty`;
//! - `POST /_control/failures` `{"times","status","errorCode","writesOnly"}`,
//!   `DELETE /_control/failures`;
//! - `GET /_control/quota`, `POST /_control/quota` `{"used","max"}`,
//!   `POST /_control/quota/spend`, `POST /_control/quota/restore`;
//! - `POST /_control/merge` `{"master": id, "losers": [ids]}`;
//! - `PUT /_control/sharing` `{"hidden": [ids]}` (hide these),
//!   `{"hideAll": true}` (every record, and people's new ones) or
//!   `{"showAll": true}`;
//! - `POST /_control/tokens/expire`, `POST /_control/app/revoke`,
//!   `POST /_control/app/restore`, `POST /_control/query-locators/expire`;
//! - `PUT /_control/duplicate-rule` `{"on": false}`, `{"on": true}` (Email,
//!   Alert) or `{"matching": "email"|"standard", "action": "alert"|"block"}`;
//!   `PUT /_control/custom-fields` `{"present"}`, `PUT /_control/page-size`
//!   `{"size"}`, `PUT /_control/email-internationalization` `{"on"}`,
//!   `PUT /_control/precondition-precision` `{"millis"}`;
//! - `GET /_control/clock` (the org's now), `PUT /_control/clock`
//!   `{"skewSeconds": n}` (negative: behind ours);
//! - `POST /_control/deleted/purge` (purge_delete_log), `PUT
//!   /_control/deleted/id-limit` `{"limit"}`, `PUT /_control/deleted/hold`
//!   `{"at": datetime | null}` (hold_latest_covered), `PUT
//!   /_control/deleted/empty-purges` `{"on"}`, `PUT
//!   /_control/deleted/lists-hidden` `{"on"}`;
//! - `GET /_control/calls`, `POST /_control/reset`.
//!
//! A control the org refuses answers Salesforce's error array (a merge of a
//! deleted record, an invalid email); a malformed control body is 400
//! `INVALID_CONTROL`; an unknown route 404.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::controls::Controls;
use super::errors::SfError;
use super::{time, State};

pub fn routes(scope: actix_web::Scope) -> actix_web::Scope {
    scope.default_service(web::to(handle))
}

async fn handle(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let controls = Controls { state };
    let body: Value = if body.is_empty() { json!({}) } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    let path = req.path().trim_start_matches("/_control").trim_matches('/').to_owned();
    let segments: Vec<&str> = path.split('/').collect();
    let query: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let number = |name: &str| body.get(name).and_then(Value::as_u64);
    let flag = |name: &str| body.get(name).and_then(Value::as_bool);
    let done = || Ok(json!({"ok": true}));
    let result: Result<Value, SfError> = match (req.method().as_str(), segments.as_slice()) {
        ("GET", ["contacts"]) => Ok(json!(controls.contacts())),
        ("POST", ["contacts"]) => match query.iter().find(|(k, _)| k == "stamp") {
            Some((_, stamp)) => match time::parse(stamp) {
                Some(at) => controls.create_contact_stamped(&body, at).map(|id| json!({"id": id})),
                None => Err(SfError::new(400, "INVALID_STAMP", format!("stamp is not a datetime: {stamp}"))),
            },
            None => controls.create_contact(&body).map(|id| json!({"id": id})),
        },
        ("GET", ["contacts", id]) => controls.contact(id).ok_or_else(SfError::not_found),
        ("PATCH", ["contacts", id]) => controls.update_contact(id, &body).and_then(|()| done()),
        ("DELETE", ["contacts", id]) => controls.delete_contact(id).and_then(|()| done()),
        ("POST", ["recycle-bin", "empty"]) => Ok(json!({"purged": controls.empty_recycle_bin()})),
        ("POST", ["failures"]) => {
            let times = u32::try_from(number("times").unwrap_or(1)).unwrap_or(u32::MAX);
            let status = u16::try_from(number("status").unwrap_or(503)).unwrap_or(503);
            let code = body.get("errorCode").and_then(Value::as_str).unwrap_or("SERVER_UNAVAILABLE");
            if flag("writesOnly") == Some(true) {
                controls.fail_next_writes(times, status, code);
            } else {
                controls.fail_next(times, status, code);
            }
            done()
        }
        ("DELETE", ["failures"]) => {
            controls.clear_failures();
            done()
        }
        ("GET", ["quota"]) => Ok(usage(&controls)),
        ("POST", ["quota"]) => {
            let (used, max) = controls.api_usage();
            controls.set_quota(number("used").unwrap_or(used), number("max").unwrap_or(max));
            Ok(usage(&controls))
        }
        ("POST", ["quota", "spend"]) => {
            controls.spend_quota();
            Ok(usage(&controls))
        }
        ("POST", ["quota", "restore"]) => {
            controls.restore_quota();
            Ok(usage(&controls))
        }
        ("POST", ["tokens", "expire"]) => {
            controls.expire_tokens();
            done()
        }
        ("PUT", ["custom-fields"]) => {
            controls.custom_fields(flag("present").unwrap_or(true));
            done()
        }
        ("PUT", ["page-size"]) => {
            controls.page_size(usize::try_from(number("size").unwrap_or(200)).unwrap_or(200));
            done()
        }
        ("GET", ["calls"]) => {
            let calls: Vec<Value> = controls
                .calls()
                .into_iter()
                .map(|c| json!({"method": c.method, "path": c.path, "query": c.query, "status": c.status, "client": c.client}))
                .collect();
            Ok(json!({"calls": calls, "writes": controls.writes()}))
        }
        ("POST", ["reset"]) => {
            controls.reset();
            done()
        }
        (method, segments) => {
            super::control_http_org::route(&controls, method, segments, &body).unwrap_or_else(|| Err(SfError::not_found()))
        }
    };
    let (status, body) = match result {
        Ok(value) => (200, value),
        Err(error) => (error.status, error.body()),
    };
    HttpResponse::build(super::status_code(status)).content_type("application/json").body(body.to_string())
}

fn usage(controls: &Controls) -> Value {
    let (used, max) = controls.api_usage();
    json!({"used": used, "max": max})
}
