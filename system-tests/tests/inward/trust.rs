//! STRIPE_CONFIRM_EVENTS: a delivered event is applied as Stripe holds it,
//! read back by its id; one Stripe does not know changes nothing, even
//! signed with the right secret (a leaked one, say).

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{customer_event, customer_id, email, event_id, remote_customer, Inward};

#[tokio::test]
async fn a_forged_event_is_refused_and_a_true_one_applied_as_stripe_holds_it() {
    let stripe = MockServer::start().await;
    let (known, address, cus) = (event_id(), email("confirmed"), customer_id());
    let now = chrono::Utc::now().timestamp();
    let held = customer_event(&known, "created", now, remote_customer(&cus, "As Stripe Holds It", &address));
    Mock::given(method("GET"))
        .and(path(format!("/v1/events/{known}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&held))
        .mount(&stripe)
        .await;
    let base = stripe.uri();
    let stack = Inward::start("webhook", |s| {
        s.stripe.api_base = base.clone();
        s.stripe.confirm_events = true;
    })
    .await;

    // A forgery (Stripe answers 404 for it): refused, nothing stored.
    let forged = customer_event(&event_id(), "deleted", now, remote_customer(&customer_id(), "Victim", &email("victim")));
    let refused = stack.deliver(&forged).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_event", "{body}");
    assert_eq!(stack.db.count("SELECT count(*) FROM inbound_events").await, 0);

    // The true event, tampered with on the way: applied as Stripe holds it.
    let mut tampered = held.clone();
    tampered["data"]["object"]["name"] = json!("Tampered");
    assert_eq!(stack.deliver(&tampered).await.status(), 200);
    assert_eq!(stack.handled(&known).await.status, "applied");
    assert_eq!(stack.local_by_email(&address).await[0]["name"], "As Stripe Holds It");
    stack.cleanup().await;
}
