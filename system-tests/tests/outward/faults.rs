use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use testkit::{LocalStripe, TcpProxy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{email, spawn_worker, Stack, WorkerHandle, WAIT};

fn stripe_customer(id: &str) -> Value {
    json!({"id": id, "object": "customer", "created": 1_700_000_000, "livemode": false, "email": null, "name": null, "metadata": {}})
}

async fn empty_lists(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v1/customers"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": [], "has_more": false, "url": "/v1/customers"})),
        )
        .mount(server)
        .await;
}

async fn creates(server: &MockServer) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST" && r.url.path() == "/v1/customers")
        .collect()
}

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().expect("socket address")
}

/// A worker that reaches Stripe and RabbitMQ only through proxies the test
/// controls: Stripe's replies held back by `reply_delay`, the broker cuttable.
struct ProxiedWorker {
    slow_stripe: TcpProxy,
    amqp: TcpProxy,
    worker: WorkerHandle,
}

async fn proxied_worker(stack: &Stack, stripe: &LocalStripe, reply_delay: Duration) -> ProxiedWorker {
    let slow_stripe = TcpProxy::start(addr_of(&stripe.url)).await;
    let amqp = TcpProxy::start("127.0.0.1:5672".parse().unwrap()).await;
    let mut settings = stack.settings.clone();
    settings.stripe.api_base = slow_stripe.http_url();
    settings.broker.url = amqp.amqp_url();
    slow_stripe.delay_replies(reply_delay);
    let worker = spawn_worker(&settings);
    ProxiedWorker { slow_stripe, amqp, worker }
}

/// Creates a customer and waits until its create call reached Stripe.
async fn create_in_flight(stack: &Stack, stripe: &LocalStripe, tag: &str) -> (String, String) {
    let address = email(tag);
    let id = stack.create(tag, &address).await["id"].as_str().unwrap().to_owned();
    testkit::wait_for("Stripe to have created the customer", WAIT, || async {
        (!stripe.customers_by_email(&address).await.is_empty()).then_some(())
    })
    .await;
    (id, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_while_the_broker_is_unreachable_are_all_synced_when_it_returns() {
    let stripe = LocalStripe::start().await;
    let proxy = TcpProxy::start("127.0.0.1:5672".parse().unwrap()).await;
    let mut stack = Stack::start_custom(&stripe.url, |_| {}, Some(proxy.amqp_url())).await;
    let ready = |stack: &Stack| {
        let url = format!("{}/ready", stack.api);
        async move { reqwest::get(url).await.map(|r| r.status().as_u16()).unwrap_or(0) }
    };
    testkit::wait_for("the relay to connect", WAIT, || async { (ready(&stack).await == 200).then_some(()) }).await;

    proxy.cut();
    testkit::wait_for("the API to notice the broker is gone", WAIT, || async { (ready(&stack).await == 503).then_some(()) }).await;
    let mut ids = Vec::new();
    let mut emails = Vec::new();
    for i in 0..5 {
        let address = email(&format!("offline{i}"));
        ids.push(stack.create(&format!("Offline {i}"), &address).await["id"].as_str().unwrap().to_owned());
        emails.push(address);
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await, 5, "changes wait in the outbox");

    stack.add_worker();
    proxy.restore();
    for id in &ids {
        stack.wait_synced(id, 1).await;
    }
    for address in &emails {
        assert_eq!(stripe.customers_by_email(address).await.len(), 1, "{address} reached Stripe exactly once");
    }
    assert_eq!(stack.db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await, 0);
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_is_retried_after_retry_after_and_syncs_once() {
    let server = MockServer::start().await;
    empty_lists(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_json(json!({"error": {"message": "Too many requests", "type": "rate_limit_error"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(ResponseTemplate::new(200).set_body_json(stripe_customer("cus_after429")))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut stack = Stack::start_with(&server.uri(), |s| s.sync.retry_max_delay_ms = 3_000).await;
    stack.add_worker();

    let started = Instant::now();
    let id = stack.create("Rate Limited", &email("limited")).await["id"].as_str().unwrap().to_owned();
    let link = stack.wait_synced(&id, 1).await;

    assert!(started.elapsed() >= Duration::from_secs(1), "the retry waited for Retry-After");
    assert_eq!(link.external_id.as_deref(), Some("cus_after429"));
    assert_eq!(link.attempts, 0);
    let creates = creates(&server).await;
    assert_eq!(creates.len(), 2, "one rejected create, one that worked");
    let keys: Vec<_> = creates.iter().map(|r| r.headers.get("idempotency-key").cloned()).collect();
    assert!(keys[0].is_some() && keys[0] == keys[1], "both tries carry the same Idempotency-Key: {keys:?}");
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_failing_every_time_marks_the_customer_failed_and_dead_letters_the_change() {
    let server = MockServer::start().await;
    empty_lists(&server).await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "Stripe is having a bad day", "type": "api_error"}})),
        )
        .mount(&server)
        .await;
    let mut stack = Stack::start_with(&server.uri(), |s| s.sync.retry_max_attempts = 3).await;
    stack.add_worker();

    let id = stack.create("Unlucky", &email("unlucky")).await["id"].as_str().unwrap().to_owned();
    let link =
        testkit::wait_for("the customer to be marked failed", WAIT, || async { stack.link(&id).await.filter(|l| l.status == "failed") })
            .await;

    let error = link.last_error.clone().unwrap_or_default();
    assert!(error.contains("500") && error.contains("bad day"), "error shown: {error}");
    assert_eq!(link.attempts, 3);
    let shown = stack.get(&id).await;
    assert_eq!(shown["sync"]["stripe"]["status"], "failed");
    assert_eq!(shown["sync"]["stripe"]["last_error"], error.as_str());
    testkit::wait_for("the change in the dead-letter queue", WAIT, || async {
        (testkit::queue_depth(&stack.broker.url, &stack.dead_queue()).await == 1).then_some(())
    })
    .await;
    assert_eq!(creates(&server).await.len(), 3, "retried up to the limit, then stopped");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &stack.work_queue()).await, 0);
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_after_stripe_created_the_customer_leaves_no_duplicate() {
    let stripe = LocalStripe::start().await;
    let stack = Stack::start(&stripe.url).await;
    let doomed = proxied_worker(&stack, &stripe, Duration::from_secs(3)).await;

    let (id, address) = create_in_flight(&stack, &stripe, "killed").await;
    // The worker dies before Stripe's answer reaches it: nothing recorded, no ack.
    doomed.worker.task.abort();
    doomed.amqp.cut();
    assert!(stack.link(&id).await.and_then(|l| l.external_id).is_none());

    let survivor = spawn_worker(&stack.settings);
    let link = stack.wait_synced(&id, 1).await;

    let remote = stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "no second Stripe customer");
    assert_eq!(link.external_id.as_deref(), remote[0]["id"].as_str());
    survivor.shutdown.cancel();
    let _ = survivor.task.await;
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_before_the_ack_causes_no_duplicate_and_the_worker_reconnects() {
    let stripe = LocalStripe::start().await;
    let stack = Stack::start(&stripe.url).await;
    let proxied = proxied_worker(&stack, &stripe, Duration::from_millis(1500)).await;

    let (id, address) = create_in_flight(&stack, &stripe, "dropped").await;
    proxied.amqp.cut();
    let link = stack.wait_synced(&id, 1).await;
    proxied.slow_stripe.delay_replies(Duration::ZERO);
    proxied.amqp.restore();

    // The unacked message comes back to the reconnected worker and is a no-op.
    testkit::wait_for("the redelivered message to be consumed", WAIT, || async {
        (testkit::queue_depth(&stack.broker.url, &stack.work_queue()).await == 0).then_some(())
    })
    .await;
    stack.patch(&id, json!({"name": "After Reconnect"})).await;
    stack.wait_synced(&id, 2).await;
    let remote = stripe.customers_by_email(&address).await;
    assert_eq!(remote.len(), 1, "no second Stripe customer");
    assert_eq!(remote[0]["id"].as_str(), link.external_id.as_deref());
    assert_eq!(remote[0]["name"], "After Reconnect", "the worker reconnected by itself");
    proxied.worker.shutdown.cancel();
    let _ = proxied.worker.task.await;
    stack.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_message_in_hand() {
    let stripe = LocalStripe::start().await;
    let stack = Stack::start(&stripe.url).await;
    let proxied = proxied_worker(&stack, &stripe, Duration::from_millis(1500)).await;

    let (id, _) = create_in_flight(&stack, &stripe, "sigterm").await;
    proxied.worker.shutdown.cancel();
    tokio::time::timeout(WAIT, proxied.worker.task).await.expect("worker stops").expect("worker task");

    let link = stack.link(&id).await.expect("link");
    assert_eq!(link.status, "synced", "the message in hand was finished before stopping");
    assert_eq!(testkit::queue_depth(&stack.broker.url, &stack.work_queue()).await, 0, "and acked");
    stack.cleanup().await;
}
