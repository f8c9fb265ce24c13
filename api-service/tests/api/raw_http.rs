//! What actix's HTTP/1 layer answers by itself, before any route or
//! middleware sees the request, carries the JSON error body too.

use std::time::Duration;

use testkit::raw_http;

use crate::support::Api;

fn port(api: &Api) -> u16 {
    api.base.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap()
}

#[tokio::test]
async fn a_head_over_128_kb_is_431_with_the_json_body() {
    let api = Api::start().await;
    let request = format!("GET /customers HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\n\r\n", "a".repeat(200_000));

    let answer = raw_http(port(&api), request.as_bytes(), Duration::from_secs(20)).await;

    assert_eq!(answer.status, 431, "{answer:?}");
    assert!(answer.head.contains("content-type: application/json"), "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "request_header_fields_too_large", "{answer:?}");
    api.cleanup().await;
}

#[tokio::test]
async fn a_head_that_trickles_in_is_408_with_the_json_body() {
    let api = Api::start().await;

    // The head never ends: actix's head timer (5 s) answers.
    let answer = raw_http(port(&api), b"GET /customers HTTP/1.1\r\nHost: x\r\n", Duration::from_secs(20)).await;

    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "request_timeout", "{answer:?}");
    api.cleanup().await;
}

#[tokio::test]
async fn a_request_that_is_not_http_is_400_with_the_json_body_and_creates_nothing() {
    let api = Api::start().await;
    let garbage = b"POST /customers HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}{}{}{";

    let answer = raw_http(port(&api), garbage, Duration::from_secs(20)).await;

    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "bad_request", "{answer:?}");
    let answer = raw_http(port(&api), b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", Duration::from_secs(20)).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.body["error"]["code"], "bad_request", "{answer:?}");
    assert_eq!(api.db.count("SELECT count(*) FROM customers").await, 0);
    api.cleanup().await;
}
