//! The OAuth 2.0 token endpoint, client credentials flow: the one door to a
//! session. Its errors are OAuth's (`{error, error_description}`, HTTP
//! 400), not the REST API's array, and it costs nothing against the API
//! quota.
//!
//! - The flow is served on the org's My Domain only: help article 000886201
//!   ("Migrate from OAuth Username-Password to Client Credentials Flow")
//!   and Salesforce Help's client credentials flow page send it to the My
//!   Domain URL, not login.salesforce.com or test.salesforce.com. Sent to
//!   those hosts, Salesforce answers `invalid_grant`, "request not supported
//!   on this domain" (the answer reported in pozil/pub-sub-api-node-client
//!   issue #58, from test.salesforce.com). The double reads the request's
//!   `Host` to tell.
//! - A wrong secret, a rotated one or a disabled app is `invalid_client`,
//!   "invalid client credentials"; a revoked app's tokens stop working
//!   (401 `INVALID_SESSION_ID` on the REST API).
//! - `issued_at` is the org's clock in milliseconds; there is no
//!   `expires_in` in Salesforce's answer.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::org::Logged;
use super::{fields, lock, time, State};

pub const TOKEN_PATH: &str = "/services/oauth2/token";

/// The shared login hosts, where the client credentials flow is refused.
const LOGIN_HOSTS: [&str; 2] = ["login.salesforce.com", "test.salesforce.com"];

pub(super) async fn token(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let param = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let host = req.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let mut org = lock(&state.org);
    let (status, answer) = if param("grant_type") != Some("client_credentials") {
        (400, json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"}))
    } else if LOGIN_HOSTS.iter().any(|login| host.eq_ignore_ascii_case(login)) {
        (400, json!({"error": "invalid_grant", "error_description": "request not supported on this domain"}))
    } else if org.revoked
        || param("client_id") != Some(org.client_id.as_str())
        || param("client_secret") != Some(org.client_secret.as_str())
    {
        (400, json!({"error": "invalid_client", "error_description": "invalid client credentials"}))
    } else {
        org.issued += 1;
        let org_id = fields::salesforce_id("00D", 1);
        let token = format!("{}!{}{}", &org_id[..15], uuid::Uuid::new_v4().simple(), org.issued);
        org.tokens.insert(token.clone());
        let issued_at = org.contacts.clock.now().timestamp_millis().to_string();
        let id_url = format!("{}/id/{org_id}/{}", org.base_url, fields::salesforce_id("005", 1));
        let answer = json!({
            "access_token": token, "instance_url": org.base_url, "id": id_url, "token_type": "Bearer",
            "issued_at": issued_at, "signature": "played-by-the-double", "scope": "api",
        });
        (200, answer)
    };
    org.log.push(Logged {
        method: "POST".into(),
        path: TOKEN_PATH.into(),
        query: String::new(),
        status,
        client: None,
        at: std::time::Instant::now(),
    });
    let now = org.contacts.clock.now();
    drop(org);
    HttpResponse::build(super::status_code(status))
        .content_type("application/json;charset=UTF-8")
        .insert_header(("Date", time::http_date(now)))
        .body(answer.to_string())
}
