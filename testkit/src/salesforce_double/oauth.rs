//! The OAuth 2.0 token endpoint, client credentials flow: the one door to a
//! session. Its errors are OAuth's (`{error, error_description}`), not the
//! REST API's array, and it costs nothing against the API quota.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::org::Logged;
use super::{fields, lock, State};

pub const TOKEN_PATH: &str = "/services/oauth2/token";

pub(super) async fn token(state: web::Data<State>, body: web::Bytes) -> HttpResponse {
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let param = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut org = lock(&state.org);
    let (status, answer) = if param("grant_type") != Some("client_credentials") {
        (400, json!({"error": "unsupported_grant_type", "error_description": "grant type not supported"}))
    } else if param("client_id") != Some(org.client_id.as_str()) || param("client_secret") != Some(org.client_secret.as_str()) {
        (400, json!({"error": "invalid_client", "error_description": "invalid client credentials"}))
    } else {
        org.issued += 1;
        let org_id = fields::salesforce_id("00D", 1);
        let token = format!("{}!{}{}", &org_id[..15], uuid::Uuid::new_v4().simple(), org.issued);
        org.tokens.insert(token.clone());
        let issued_at = chrono::Utc::now().timestamp_millis().to_string();
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
    drop(org);
    HttpResponse::build(super::status_code(status)).content_type("application/json;charset=UTF-8").body(answer.to_string())
}
