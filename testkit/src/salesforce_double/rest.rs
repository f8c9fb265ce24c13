//! The REST API under `/services/data/vNN.0/`: each call is admitted by the
//! org (session, quota, queued failure), routed, logged, and answered with
//! `Sforce-Limit-Info` and a `Date` from the org's clock (an origin server
//! with a clock sends one, RFC 9110 section 6.6.1, and Salesforce's do; a
//! client may take the server's time from it, as the answer to
//! salesforce.stackexchange.com q/201580 does for `If-Unmodified-Since`). Record reads
//! and writes live here; upserts, queries and the replication API in their
//! own modules.
//!
//! API versions: any `vNN.0` from 31.0 is served. Versions 21.0 to 30.0
//! were retired in Summer '25 and 7.0 to 20.0 in Summer '22; a call to one
//! answers 410 GONE ("Salesforce Platform API Versions 21.0 through 30.0
//! Retirement", help article 000354473: "REST API returns 410: GONE", with
//! "an error that the requested endpoint is not found"). The version also
//! decides what upsert answers (`upsert`) and whether the duplicate rule
//! header is read (`Org::api_rules`).

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
    /// The API version's major number (62 for `v62.0`).
    pub api: u32,
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
    let path = req.path().trim_end_matches('/');
    let api = versioned(path).map_or(0, |(_, number, _)| number);
    let call = Call {
        method: req.method().as_str().to_owned(),
        query: serde_urlencoded::from_str(req.query_string()).unwrap_or_default(),
        body,
        if_unmodified_since: header("if-unmodified-since"),
        allow_save: header("sforce-duplicate-rule-header")
            .is_some_and(|h| h.split([';', ',']).any(|p| p.trim().eq_ignore_ascii_case("allowSave=true"))),
        api,
    };
    let client = header("sforce-call-options").and_then(|h| h.split(',').find_map(|p| p.trim().strip_prefix("client=").map(str::to_owned)));
    let mut org = lock(&state.org);
    let (status, body) = match versioned(path) {
        None => SfError::not_found().into(),
        Some((_, number, _)) if number < 31 => SfError::new(410, "NOT_FOUND", "The requested resource does not exist").into(),
        Some((version, _, segments)) => match org.admit(header("authorization").as_deref(), &call.method) {
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
    let (limit, now) = (org.limit_info(), org.contacts.clock.now());
    drop(org);
    let mut response = HttpResponse::build(super::status_code(status));
    // With a Date of its own, actix writes no second one (its h1 encoder
    // adds the server's date only to an answer without).
    response.insert_header(("Sforce-Limit-Info", limit)).insert_header(("Date", time::http_date(now)));
    match body {
        Some(body) => response.content_type("application/json;charset=UTF-8").body(body.to_string()),
        None => response.finish(),
    }
}

/// `/services/data/v62.0/a/b` -> ("v62.0", 62, ["a", "b"]), for any `vNN.0`.
fn versioned(path: &str) -> Option<(&str, u32, Vec<&str>)> {
    let rest = path.strip_prefix("/services/data/")?;
    let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let number = version.strip_prefix('v')?.strip_suffix(".0")?;
    let number = number.parse().ok().filter(|_| number.chars().all(|c| c.is_ascii_digit()))?;
    Some((version, number, rest.split('/').filter(|s| !s.is_empty()).collect()))
}

fn route(org: &mut Org, call: &Call, version: &str, segments: &[&str]) -> Reply {
    let answer = |result: Result<Value, SfError>, status: u16| result.map_or_else(Reply::from, |v| (status, Some(v)));
    let (method, custom) = (call.method.as_str(), org.custom_fields);
    match (method, segments) {
        ("GET", [kind @ ("query" | "queryAll")]) => {
            let Some(q) = call.param("q") else { return SfError::malformed_query("a q parameter is required").into() };
            let taken = query::run(&org.contacts, q, *kind == "queryAll", custom, version);
            let (page_size, now) = (org.page_size, org.contacts.clock.now());
            answer(taken.map(|records| org.cursors.first_page(records, page_size, version, now)), 200)
        }
        ("GET", ["query" | "queryAll", cursor]) => {
            let (page_size, now) = (org.page_size, org.contacts.clock.now());
            answer(org.cursors.next_page(cursor, page_size, version, now), 200)
        }
        (_, ["sobjects", object, ..]) if !object.eq_ignore_ascii_case("Contact") => SfError::not_found().into(),
        ("POST", ["sobjects", _]) => {
            let rules = org.api_rules(call.allow_save, call.api);
            let created = call.object().and_then(|body| org.contacts.create(&body, rules, Writer::Api, None));
            answer(created.map(|id| json!({"id": id, "success": true, "errors": []})), 201)
        }
        ("GET", ["sobjects", _, "describe"]) => (200, Some(fields::describe(custom, version))),
        ("GET", ["sobjects", _, "deleted"]) => answer(replication::deleted(&org.contacts, call), 200),
        ("GET", ["sobjects", _, id]) => answer(read(org, call, id, version), 200),
        ("PATCH", ["sobjects", _, id]) => {
            let (rules, millis) = (org.api_rules(call.allow_save, call.api), org.precondition_millis);
            let updated = org.contacts.live(id, Writer::Api).and_then(|c| unmodified_since(c, call, millis)).and_then(|()| call.object());
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
/// recycle bin, or hidden from the API user, is not found.
fn read(org: &Org, call: &Call, id: &str, version: &str) -> Result<Value, SfError> {
    let contact = org.contacts.visible(id, Writer::Api).filter(|c| c.deleted.is_none()).ok_or_else(SfError::not_found)?;
    match call.param("fields") {
        None => Ok(contact.to_full_json(version, org.custom_fields)),
        Some(list) => {
            let selected = field_list(list, org.custom_fields).map_err(|name| SfError::invalid_field(&name))?;
            Ok(contact.to_json(version, &selected))
        }
    }
}

/// `If-Unmodified-Since` on a PATCH (REST API guide, "Conditional
/// Requests", intro_rest_conditional_requests.htm): refused with 412 if the
/// record's LastModifiedDate is after the given date, 400 if the header is
/// no date. The guide does not say at what precision Salesforce compares,
/// so both are offered: by default the record's stamp is cut to whole
/// seconds, as an HTTP date holds (a change within that same second
/// passes); with `Controls::precondition_precision(true)` it is compared to
/// the millisecond (a record changed at 10:00:00.500 fails a header of
/// 10:00:00).
fn unmodified_since(contact: &Contact, call: &Call, millis: bool) -> Result<(), SfError> {
    let Some(header) = &call.if_unmodified_since else { return Ok(()) };
    let since = time::parse_http_date(header)
        .ok_or_else(|| SfError::new(400, "INVALID_HEADER_VALUE", format!("If-Unmodified-Since is not an HTTP date: {header}")))?;
    let modified = if millis { contact.modified } else { time::seconds(contact.modified) };
    if modified > since {
        let message =
            format!("The requested resource has been modified since {header}: LastModifiedDate {}", time::format(contact.modified));
        return Err(SfError::new(412, "PRECONDITION_FAILED", message));
    }
    Ok(())
}
