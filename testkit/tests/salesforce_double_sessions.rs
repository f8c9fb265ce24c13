//! Sessions and cursors of the Salesforce double: the client credentials
//! flow refused on the shared login hosts, a revoked connected app, query
//! locators that expire, and the same over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::TimeDelta;
use salesforce_session::{login, Session};
use serde_json::{json, Value};
use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;

const FORM: [(&str, &str); 3] = [("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];

async fn token(double: &SalesforceDouble, host: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}/services/oauth2/token", double.url())).form(&FORM);
    if let Some(host) = host {
        request = request.header("Host", host);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

#[tokio::test]
async fn the_client_credentials_flow_needs_the_my_domain_host() {
    let double = SalesforceDouble::start().await.unwrap();
    for host in ["login.salesforce.com", "test.salesforce.com", "LOGIN.salesforce.com:443"] {
        let (status, body) = token(&double, Some(host)).await;
        assert_eq!(status, 400, "{host}");
        assert_eq!(body, json!({"error": "invalid_grant", "error_description": "request not supported on this domain"}), "{host}");
    }
    let (status, body) = token(&double, Some("acme.my.salesforce.com")).await;
    assert_eq!((status, body["token_type"].as_str()), (200, Some("Bearer")), "a My Domain host is served");
    assert_eq!(token(&double, None).await.0, 200, "the double's own address is its My Domain");
    double.stop().await;
}

#[tokio::test]
async fn a_revoked_app_gets_no_token_and_its_tokens_stop_working() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    double.revoke_app();
    let (status, body) = token(&double, None).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_client")));
    let refused = sf.get("/sobjects/Contact/describe").await;
    assert_eq!((refused.status.as_u16(), refused.error_code()), (401, "INVALID_SESSION_ID"));
    double.restore_app();
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 401, "old tokens stay revoked");
    assert_eq!(login(&double).await.get("/sobjects/Contact/describe").await.status, 200);
    double.stop().await;
}

async fn paged(double: &SalesforceDouble, sf: &Session) -> String {
    double.page_size(1);
    for name in ["P1", "P2"] {
        if sf.query("query", &format!("SELECT Id FROM Contact WHERE Email = '{name}@example.com'")).await.body["totalSize"] == 0 {
            sf.create(json!({"LastName": name, "Email": format!("{name}@example.com")})).await;
        }
    }
    sf.query("query", "SELECT Id FROM Contact").await.body["nextRecordsUrl"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn query_locators_expire_on_demand_after_15_idle_minutes_and_past_ten_open() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let next = paged(&double, &sf).await;
    assert_eq!(sf.get(&next).await.status, 200, "a locator in use pages on");
    double.expire_query_locators();
    let expired = sf.get(&next).await;
    assert_eq!((expired.status.as_u16(), expired.error_code()), (400, "INVALID_QUERY_LOCATOR"));

    let idle = paged(&double, &sf).await;
    double.skew_clock(TimeDelta::minutes(16));
    assert_eq!(sf.get(&idle).await.error_code(), "INVALID_QUERY_LOCATOR", "15 minutes without use");

    let oldest = paged(&double, &sf).await;
    let mut newest = String::new();
    for _ in 0..10 {
        newest = paged(&double, &sf).await;
    }
    assert_eq!(sf.get(&oldest).await.error_code(), "INVALID_QUERY_LOCATOR", "an 11th releases the oldest");
    assert_eq!(sf.get(&newest).await.status, 200);
    double.stop().await;
}

#[tokio::test]
async fn sessions_and_locators_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let control = |path: &str| format!("{}/_control{path}", double.url());
    let next = paged(&double, &sf).await;
    assert_eq!(http.post(control("/query-locators/expire")).send().await.unwrap().status(), 200);
    assert_eq!(sf.get(&next).await.error_code(), "INVALID_QUERY_LOCATOR");
    http.post(control("/app/revoke")).send().await.unwrap();
    assert_eq!(token(&double, None).await.1["error"], "invalid_client");
    assert_eq!(sf.get("/sobjects/Contact/describe").await.status, 401);
    http.post(control("/app/restore")).send().await.unwrap();
    assert_eq!(token(&double, None).await.0, 200);
    double.stop().await;
}
