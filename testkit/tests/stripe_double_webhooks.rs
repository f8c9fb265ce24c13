//! The Stripe double delivers its events as Stripe delivers webhooks: each
//! one POSTed in order to the endpoint, with a `Stripe-Signature` the
//! endpoint can verify with its secret. The double alone, in memory mode
//! (localstripe's webhooks carry two kinds of invoice event only).
#![allow(clippy::unwrap_used)]

mod stripe_memory;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use ring::hmac;
use serde_json::Value;
use stripe_memory::Api;
use testkit::StripeDouble;

const SECRET: &str = "whsec_test";

/// What the endpoint received: the signature header and the raw body.
type Received = Arc<Mutex<Vec<(String, String)>>>;

/// A tiny webhook endpoint: takes every POST and answers 200.
fn endpoint() -> (String, Received, actix_web::dev::ServerHandle) {
    let received = Received::default();
    let store = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/webhooks/stripe", listener.local_addr().unwrap().port());
    let server = HttpServer::new(move || {
        let store = store.clone();
        App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let store = store.clone();
            async move {
                let signature = req.headers().get("Stripe-Signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                store.lock().unwrap().push((signature, String::from_utf8(body.to_vec()).unwrap()));
                HttpResponse::Ok().finish()
            }
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (url, received, handle)
}

/// Checks a header as Stripe's docs say an endpoint must, independently of
/// the double's own signing: HMAC-SHA256 over "{t}.{body}".
fn verifies(header: &str, body: &str) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.to_owned()),
            Some(("v1", value)) => signatures.push(value.to_owned()),
            _ => {}
        }
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, SECRET.as_bytes());
    let signed = format!("{}.{body}", t.unwrap_or_default());
    signatures.iter().any(|hex| {
        let bytes: Vec<u8> = (0..hex.len()).step_by(2).filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect();
        hmac::verify(&key, signed.as_bytes(), &bytes).is_ok()
    })
}

#[tokio::test]
async fn events_recorded_after_delivery_starts_are_posted_in_order_and_signed() {
    let double = StripeDouble::start(None).unwrap();
    let api = Api::of(&double);
    let (url, received, server) = endpoint();
    let customer = api.customer("Before").await;
    let earlier = double.events().len();
    double.deliver_webhooks(&url, SECRET);

    let invoice = api.draft(&customer, &[]).await;
    api.item(&customer, &invoice, "Seat", 1, 1000).await;
    api.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
    let expected: Vec<Value> = double.events().into_iter().skip(earlier).collect();
    testkit::wait_for("every webhook delivered", Duration::from_secs(10), || async {
        (double.deliveries().len() >= expected.len()).then_some(())
    })
    .await;

    let received = received.lock().unwrap().clone();
    let bodies: Vec<Value> = received.iter().map(|(_, body)| serde_json::from_str(body).unwrap()).collect();
    assert_eq!(bodies, expected, "every event after delivery started, in order, as recorded");
    assert!(received.iter().all(|(signature, body)| verifies(signature, body)), "each signature verifies with the secret");
    assert!(!verifies(&received[0].0, "{}"), "and only for its own body");
    let (signature, body) = &received[0];
    let t: i64 = signature.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
    assert_eq!(*signature, testkit::sign_webhook(SECRET, body, t), "the public helper signs the same way");
    let delivered: Vec<(String, u16)> = expected.iter().map(|e| (e["id"].as_str().unwrap().to_owned(), 200)).collect();
    assert_eq!(double.deliveries(), delivered);
    double.stop().await;
    server.stop(false).await;
}
