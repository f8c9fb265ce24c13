//! PostgreSQL and RabbitMQ go away under the running services and come
//! back: every service carries on by itself, no restart needed.

use std::time::Duration;

use testkit::TcpProxy;

use crate::support::{email, Inward, WAIT};

#[tokio::test]
async fn every_service_carries_on_after_postgres_and_rabbitmq_went_away_and_came_back() {
    // Arrange: the three services reach PostgreSQL and RabbitMQ through proxies.
    let postgres = TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    let rabbitmq = TcpProxy::start("127.0.0.1:5672".parse().unwrap()).await;
    let (pg_addr, amqp_url) = (postgres.addr.to_string(), rabbitmq.amqp_url());
    let mut stack = Inward::start("webhook", |s| {
        s.database.url = s.database.url.replace("127.0.0.1:5432", &pg_addr);
        s.broker.url = amqp_url.clone();
    })
    .await;
    stack.start_worker();
    let before = stack.create_local("Before", &email("before")).await;
    stack.wait_synced(&before, 1).await;

    // Act: both go away (live connections die), then come back.
    postgres.cut();
    rabbitmq.cut();
    let (status, body) = stack.get("/customers").await;
    assert_eq!(status, 503, "a clear error while the database is away: {body}");
    assert_eq!(body["error"]["code"], "service_unavailable");
    tokio::time::sleep(Duration::from_secs(2)).await;
    postgres.restore();
    rabbitmq.restore();

    // Assert: a change made here reaches Stripe, one made in Stripe arrives here.
    let after_email = email("after");
    let after = testkit::wait_for("the API to take writes again", WAIT, || async {
        let response =
            stack.http.post(format!("{}/customers", stack.api)).json(&serde_json::json!({"name": "After", "email": after_email}));
        let response = response.send().await.ok()?;
        (response.status() == 201).then_some(())?;
        response.json::<serde_json::Value>().await.ok()?["id"].as_str().map(str::to_owned)
    })
    .await;
    stack.wait_synced(&after, 1).await;
    assert_eq!(stack.stripe.customers_by_email(&after_email).await.len(), 1);
    let remote_email = email("remote");
    stack.stripe.create_customer(&[("name", "From Stripe"), ("email", &remote_email)]).await;
    testkit::wait_for("the Stripe customer to arrive", WAIT, || async { stack.local_by_email(&remote_email).await.pop() }).await;
    stack.cleanup().await;
}
