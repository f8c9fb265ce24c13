use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::Api;

/// Every endpoint the service serves. The document is generated from the
/// same registration that serves the routes (a handler cannot be registered
/// without its documentation), so this list is the reviewed contract: a
/// route added or removed shows up here.
const SERVED: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/ready"),
    ("GET", "/sync/conflicts"),
    ("GET", "/sync/status"),
    ("GET", "/metrics"),
    ("GET", "/sync/dead-letters"),
    ("POST", "/sync/dead-letters/replay"),
    ("POST", "/sync/reconcile"),
    ("GET", "/sync/reconcile"),
    ("GET", "/sync/reconcile/{id}"),
    ("GET", "/sync/held-deletions"),
    ("POST", "/sync/held-deletions/{id}/release"),
    ("POST", "/sync/held-deletions/{id}/discard"),
    ("POST", "/sync/held-deletions/release"),
    ("POST", "/sync/held-deletions/discard"),
    ("POST", "/customers"),
    ("GET", "/customers"),
    ("GET", "/customers/{id}"),
    ("PUT", "/customers/{id}"),
    ("PATCH", "/customers/{id}"),
    ("DELETE", "/customers/{id}"),
    ("POST", "/invoices"),
    ("GET", "/invoices"),
    ("GET", "/invoices/{id}"),
    ("PATCH", "/invoices/{id}"),
    ("DELETE", "/invoices/{id}"),
    ("POST", "/invoices/{id}/finalize"),
    ("POST", "/invoices/{id}/pay"),
    ("POST", "/invoices/{id}/void"),
    ("POST", "/invoices/{id}/mark-uncollectible"),
];

/// Every `code` an error can carry (the README's table).
const ERROR_CODES: &[&str] = &[
    "invalid_json",
    "validation_failed",
    "invalid_query",
    "payload_too_large",
    "unsupported_media_type",
    "not_found",
    "email_taken",
    "customer_has_open_invoices",
    "invalid_transition",
    "not_editable",
    "invalid_idempotency_key",
    "idempotency_key_reused",
    "already_running",
    "service_unavailable",
    "internal_error",
    "unauthorized",
    "forbidden",
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

async fn document(api: &Api) -> Value {
    let response = api.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    response.json().await.unwrap()
}

/// (METHOD, path, operation) of every operation in the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str()) {
                found.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    found
}

/// Every `$ref` anywhere in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_json_is_a_valid_openapi_3_document_whose_references_all_resolve() {
    let api = Api::start().await;
    let doc = document(&api).await;

    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    let spec = oas3::from_json(doc.to_string()).expect("an OpenAPI 3.1 document");
    spec.validate_version().expect("a supported OpenAPI version");
    assert!(!spec.info.title.is_empty());
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{target} is not local"));
        assert!(doc.pointer(pointer).is_some(), "{target} does not resolve");
    }
    // The error shape, with every code.
    let codes: BTreeSet<&str> =
        doc["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(codes, ERROR_CODES.iter().copied().collect(), "a new code belongs in ERROR_CODES and the README");
    assert_eq!(doc["components"]["schemas"]["ErrorBody"]["required"], json!(["error"]));
    // API keys: Swagger UI's Authorize button, and each guarded operation's scope and 401/403.
    assert_eq!(doc["components"]["securitySchemes"]["api_key"]["scheme"], "bearer", "{}", doc["components"]);
    assert_eq!(doc["paths"]["/customers"]["post"]["security"], json!([{"api_key": ["write"]}]));
    assert_eq!(doc["paths"]["/sync/reconcile"]["post"]["security"], json!([{"api_key": ["operate"]}]));
    assert!(doc["paths"]["/customers"]["get"]["responses"]["401"].is_object());
    assert!(doc["paths"]["/health"]["get"]["security"].is_null(), "/health stays open");
    assert_eq!(doc["components"]["schemas"]["ErrorDetail"]["required"], json!(["code", "message"]));
    api.cleanup().await;
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_the_service_serves() {
    let api = Api::start().await;
    let doc = document(&api).await;

    let documented: BTreeSet<(String, String)> = operations(&doc).into_iter().map(|(method, path, _)| (method, path)).collect();
    let served: BTreeSet<(String, String)> = SERVED.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(documented, served, "documented routes vs SERVED");

    // Each one is served: not the service's own "no route" 404, nor 405.
    let id = uuid::Uuid::now_v7().to_string();
    for (method, path) in &documented {
        let url = format!("{}{}", api.base, path.replace("{id}", &id));
        let mut request = api.http.request(Method::from_bytes(method.as_bytes()).unwrap(), &url);
        if ["POST", "PUT", "PATCH"].contains(&method.as_str()) {
            request = request.json(&json!({}));
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not served");
        assert!(!body.contains("no route for"), "{method} {path} is documented but not served: {status} {body}");
    }
    api.cleanup().await;
}

#[tokio::test]
async fn each_operation_documents_the_statuses_it_can_answer() {
    let api = Api::start().await;
    let doc = document(&api).await;

    let ids: Vec<String> = operations(&doc).into_iter().map(|(_, _, op)| op["operationId"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len(), "operationIds are unique: {ids:?}");
    for (method, path, operation) in operations(&doc) {
        let statuses: BTreeSet<&str> = operation["responses"].as_object().unwrap().keys().map(String::as_str).collect();
        let route = format!("{method} {path}");
        let mut expected = BTreeSet::new();
        // The database (or the broker), except where neither is used.
        if !["/health", "/ready", "/metrics"].contains(&path.as_str()) {
            expected.extend(["500", "503"]);
        }
        if path.contains("{id}") {
            expected.insert("404");
        }
        if operation.get("requestBody").is_some() {
            expected.extend(["400", "413", "415", "422"]);
        }
        let queries = operation["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query").count();
        if queries > 0 {
            expected.insert("400");
        }
        assert!(expected.is_subset(&statuses), "{route} documents {statuses:?}, should include {expected:?}");
        assert!(statuses.iter().any(|s| s.starts_with('2')), "{route} has no success response");
        assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{route} has no summary");
        for (status, response) in operation["responses"].as_object().unwrap() {
            if status.starts_with(['4', '5']) && route != "GET /ready" {
                let target = response["$ref"].as_str().unwrap_or_else(|| panic!("{route} {status} is not a shared error response"));
                let shared = doc.pointer(target.trim_start_matches('#')).unwrap();
                let content = &shared["content"]["application/json"];
                assert_eq!(content["schema"]["$ref"], "#/components/schemas/ErrorBody", "{route} {status}");
                assert!(content["examples"].as_object().is_some_and(|e| !e.is_empty()), "{route} {status} has no example");
            }
        }
    }
    let create = &doc["paths"]["/customers"]["post"];
    let key = create["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "Idempotency-Key").expect("Idempotency-Key");
    assert_eq!(key["in"], "header");
    assert_eq!(key["required"], false);
    assert!(create["responses"]["201"]["headers"]["Location"].is_object());
    assert!(create["requestBody"]["content"]["application/json"]["schema"]["$ref"].is_string());
    let list: BTreeSet<&str> =
        doc["paths"]["/customers"]["get"]["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(list, BTreeSet::from(["limit", "starting_after", "email"]));
    api.cleanup().await;
}

#[tokio::test]
async fn a_served_path_asked_with_another_method_is_405_with_allow() {
    let api = Api::start().await;
    let url = format!("{}/customers/{}", api.base, uuid::Uuid::now_v7());

    let response = api.http.post(&url).json(&json!({})).send().await.unwrap();

    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, PUT, PATCH, DELETE");
    let response = api.http.delete(format!("{}/health", api.base)).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");
    api.cleanup().await;
}

#[tokio::test]
async fn docs_serves_swagger_ui_from_bundled_assets() {
    let api = Api::start().await;

    // `/docs` sends the browser to `/docs/`, where relative asset URLs resolve.
    let no_redirects = testkit::http_builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = no_redirects.get(format!("{}/docs", api.base)).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/docs/");

    let response = api.get("/docs").await; // reqwest follows the redirect
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().path(), "/docs/");
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere: {html}");
    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("./"))
        .map(|s| s.trim_start_matches("./"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    for wanted in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-initializer.js"] {
        assert!(assets.contains(&wanted), "{wanted} not in {assets:?}");
    }
    for asset in assets {
        let response = api.get(&format!("/docs/{asset}")).await;
        assert_eq!(response.status(), 200, "/docs/{asset}");
        let body = response.text().await.unwrap();
        assert!(!body.is_empty(), "/docs/{asset} is empty");
        if asset == "swagger-initializer.js" {
            assert!(body.contains("/openapi.json"), "the UI shows our document: {body}");
        }
    }
    api.cleanup().await;
}
