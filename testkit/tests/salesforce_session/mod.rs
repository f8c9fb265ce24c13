//! A client of the Salesforce double for the tests that share it: a login
//! and calls that return status, `Sforce-Limit-Info` and the JSON body.
#![allow(clippy::unwrap_used, dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;

pub const V: &str = "/services/data/v62.0";

/// A logged-in client, as the integration will hold one.
pub struct Session {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub limit: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn error_code(&self) -> &str {
        self.body[0]["errorCode"].as_str().unwrap_or_default()
    }
}

pub async fn login(double: &SalesforceDouble) -> Session {
    let http = reqwest::Client::new();
    let form = [("grant_type", "client_credentials"), ("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)];
    let answer: Value =
        http.post(format!("{}/services/oauth2/token", double.url())).form(&form).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["instance_url"], double.url(), "the double is its own instance");
    assert!(answer["issued_at"].as_str().unwrap().parse::<i64>().is_ok());
    Session { http, base: answer["instance_url"].as_str().unwrap().to_owned(), token: answer["access_token"].as_str().unwrap().to_owned() }
}

impl Session {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Answer {
        let url = if path.starts_with("/services") { format!("{}{path}", self.base) } else { format!("{}{V}{path}", self.base) };
        let mut request = self.http.request(method, url).bearer_auth(&self.token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let limit = response.headers().get("Sforce-Limit-Info").map(|v| v.to_str().unwrap().to_owned());
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Answer { status, limit, headers, body: if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() } }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, &[]).await
    }

    pub async fn query(&self, kind: &str, q: &str) -> Answer {
        self.get(&with_params(&format!("/{kind}"), &[("q", q)])).await
    }

    pub async fn create(&self, body: Value) -> String {
        let answer = self.call(Method::POST, "/sobjects/Contact", Some(body), &[]).await;
        assert_eq!(answer.status, 201, "{}", answer.body);
        assert_eq!((answer.body["success"].clone(), answer.body["errors"].clone()), (json!(true), json!([])));
        answer.body["id"].as_str().unwrap().to_owned()
    }
}

/// A `/sobjects/Contact/deleted/` window from `start` to `end`.
pub fn deleted_url(start: chrono::DateTime<chrono::Utc>, end: chrono::DateTime<chrono::Utc>) -> String {
    let (start, end) = (testkit::salesforce_double::format_datetime(start), testkit::salesforce_double::format_datetime(end));
    with_params("/sobjects/Contact/deleted/", &[("start", &start), ("end", &end)])
}

/// The ids a `/deleted/` answer lists.
pub fn deleted_ids(answer: &Answer) -> Vec<String> {
    answer.body["deletedRecords"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

/// `path?k=v&...`, encoded.
pub fn with_params(path: &str, params: &[(&str, &str)]) -> String {
    format!("{path}?{}", serde_urlencoded::to_string(params).unwrap())
}

pub fn ids(answer: &Answer) -> Vec<String> {
    answer.body["records"].as_array().unwrap().iter().map(|r| r["Id"].as_str().unwrap().to_owned()).collect()
}
