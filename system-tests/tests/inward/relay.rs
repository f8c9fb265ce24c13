//! A change applied from Stripe is written to the outbox by webhook-service,
//! which relays it itself: it reaches the integrations' queues whether or not
//! an api-service runs.

use testkit::{LocalStripe, TestBroker, TestDb};

use crate::support::{email, SECRET, WAIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_applied_from_stripe_is_relayed_with_no_api_service_running() {
    // Arrange: webhook-service alone (no api-service, no worker).
    let stripe = LocalStripe::start().await;
    let db = TestDb::create().await;
    let broker = TestBroker::new();
    let settings = testkit::settings(&db.url, &broker.url, &broker.prefix, &stripe.url);
    let app = webhook_service::Application::build(&settings).expect("build webhook-service");
    let hooks = format!("http://127.0.0.1:{}", app.port());
    let stop = app.stop_handle();
    tokio::spawn(app.run_until_stopped());
    stripe.register_webhook("catalog-sync", &format!("{hooks}/webhooks/stripe"), SECRET).await;

    // Act: a customer made in Stripe.
    let address = email("relayed");
    stripe.create_customer(&[("name", "Relayed"), ("email", &address)]).await;

    // Assert: taken in, and its change published to the Stripe work queue.
    let queue = broker.topology(&settings).work_queue("stripe", "customer");
    testkit::wait_for("the change in the work queue", WAIT, || async {
        (testkit::queue_depth(&broker.url, &queue).await == 1).then_some(())
    })
    .await;
    assert_eq!(db.count("SELECT count(*) FROM customers").await, 1);
    assert_eq!(db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await, 0);
    stop.stop().await;
    testkit::delete_topology(&broker.url, &broker.topology(&settings)).await;
    db.cleanup().await;
}
