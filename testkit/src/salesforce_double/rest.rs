//! The REST API under `/services/data/vNN.0/`: each call is admitted by the
//! org (session, quota, queued failure), routed, logged, and answered with
//! `Sforce-Limit-Info`. Record reads and writes live here; upserts, queries
//! and the replication API in their own modules.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::contacts::{Contact, Writer};
use super::errors::{Reply, SfError};
use super::json::field_list;
use super::org::{Logged, Org};
use super::{fields, lock, query, replication, time, upsert, State};

/// What a handler needs of the request, read once.
pub struct Call {
    pub method: String,
    pub query: Vec<(String, String)>,
    pub body: web::Bytes,
    pub if_unmodified_since: Option<String>,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    pub allow_save: bool,
}

impl Call {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The body as a JSON object.
    pub fn object(&self) -> Result<Map<String, Value>, SfError> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Err(SfError::new(400, "JSON_PARSER_ERROR", "expected a JSON object")),
            Err(e) => Err(SfError::new(400, "JSON_PARSER_ERROR", e.to_string())),
        }
    }
}

pub(super) async fn handle(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let call = Call {
        method: req.method().as_str().to_owned(),
        query: serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
        body,
        if_unmodified_since: header("if-unmodified-since"),
        allow_save: header("sforce-duplicate-rule-header")
            .is_some_and(|h| h.split([';', ',']).any(|p| p.trim().eq_ignore_ascii_case("allowSave=true"))),
    };
    let client = header("sforce-call-options").and_then(|h| h.split(',').find_map(|p| p.trim().strip_prefix("client=").map(str::to_owned)));
    let path = req.path().trim_end_matches('/');
    let mut org = lock(&state.org);
    let (status, body) = match versioned(path) {
        None => SfError::not_found().into(),
        Some((version, segments)) => match org.admit(header("authorization").as_deref(), &call.method) {
            Err(error) => error.into(),
            Ok(()) => route(&mut org, &call, version, &segments),
        },
    };
    org.log.push(Logged {
        method: call.method.clone(),
        path: req.path().to_owned(),
        query: req.query_string().to_owned(),
        status,
        client,
        at: std::time::Instant::now(),
    });
    let limit = org.limit_info();
    drop(org);
    let mut response = HttpResponse::build(super::status_code(status));
    response.insert_header(("Sforce-Limit-Info", limit));
    match body {
        Some(body) => response.content_type("application/json;charset=UTF-8").body(body.to_string()),
        None => response.finish(),
    }
}

/// `/services/data/v62.0/a/b` -> ("v62.0", ["a", "b"]), for any `vNN.0`.
fn versioned(path: &str) -> Option<(&str, Vec<&str>)> {
    let rest = path.strip_prefix("/services/data/")?;
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let number = version.strip_prefix('v')?.strip_suffix(".0")?;
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit()))
        .then_some((version, rest.split('/').filter(|s| !s.is_empty()).collect()))
}

fn route(org: &mut Org, call: &Call, version: &str, segments: &[&str]) -> Reply {
    let answer = |result: Result<Value, SfError>, status: u16| result.map_or_else(Reply::from, |v| (status, Some(v)));
    let (method, custom) = (call.method.as_str(), org.custom_fields);
    match (method, segments) {
        ("GET", [kind @ ("query" | "queryAll")]) => {
            let Some(q) = call.param("q") else { return SfError::malformed_query("a q parameter is required").into() };
            let taken = query::run(&org.contacts, q, *kind == "queryAll", custom, version);
            let page_size = org.page_size;
            answer(taken.map(|records| org.cursors.first_page(records, page_size, version)), 200)
        }
        ("GET", ["query" | "queryAll", cursor]) => answer(org.cursors.next_page(cursor, org.page_size, version), 200),
        (_, ["sobjects", object, ..]) if !object.eq_ignore_ascii_case("Contact") => SfError::not_found().into(),
        ("POST", ["sobjects", _]) => {
            let rules = org.api_rules(call.allow_save);
            let created = call.object().and_then(|body| org.contacts.create(&body, rules, Writer::Api, None));
            answer(created.map(|id| json!({"id": id, "success": true, "errors": []})), 201)
        }
        ("GET", ["sobjects", _, "describe"]) => (200, Some(fields::describe(custom, version))),
        ("GET", ["sobjects", _, "deleted"]) => answer(replication::deleted(&org.contacts, call), 200),
        ("GET", ["sobjects", _, id]) => answer(read(org, call, id, version), 200),
        ("PATCH", ["sobjects", _, id]) => {
            let rules = org.api_rules(call.allow_save);
            let updated = org.contacts.live(id).and_then(|c| unmodified_since(c, call)).and_then(|()| call.object());
            updated.and_then(|body| org.contacts.update(id, &body, rules, Writer::Api)).map_or_else(Reply::from, |()| (204, None))
        }
        // Salesforce's docs: DELETE does not support the conditional headers, so none is checked.
        ("DELETE", ["sobjects", _, id]) => org.contacts.delete(id, Writer::Api).map_or_else(Reply::from, |()| (204, None)),
        ("PATCH", ["sobjects", _, field, value]) => upsert::upsert(org, call, field, value, version),
        ("GET", ["sobjects", _, field, value]) => upsert::read(org, field, value, version),
        (_, ["sobjects", ..] | ["query" | "queryAll", ..]) => {
            SfError::new(405, "METHOD_NOT_ALLOWED", format!("HTTP Method '{method}' not allowed")).into()
        }
        _ => SfError::not_found().into(),
    }
}

/// GET of one record: all fields, or those of `?fields=`. A record in the
/// recycle bin is not found.
fn read(org: &Org, call: &Call, id: &str, version: &str) -> Result<Value, SfError> {
    let contact = org.contacts.get(id).filter(|c| c.deleted.is_none()).ok_or_else(SfError::not_found)?;
    match call.param("fields") {
        None => Ok(contact.to_full_json(version, org.custom_fields)),
        Some(list) => {
            let selected = field_list(list, org.custom_fields).map_err(|name| SfError::invalid_field(&name))?;
            Ok(contact.to_json(version, &selected))
        }
    }
}

/// `If-Unmodified-Since` on a PATCH: refused with 412 if the record changed
/// after the given date, 400 if the header is no date. HTTP dates hold whole seconds, so the record's stamp is cut
/// to seconds before comparing: a change within that same second passes.
fn unmodified_since(contact: &Contact, call: &Call) -> Result<(), SfError> {
    let Some(header) = &call.if_unmodified_since else { return Ok(()) };
    let since = time::parse_http_date(header)
        .ok_or_else(|| SfError::new(400, "INVALID_HEADER_VALUE", format!("If-Unmodified-Since is not an HTTP date: {header}")))?;
    if time::seconds(contact.modified) > since {
        let message =
            format!("The requested resource has been modified since {header}: LastModifiedDate {}", time::format(contact.modified));
        return Err(SfError::new(412, "PRECONDITION_FAILED", message));
    }
    Ok(())
}
