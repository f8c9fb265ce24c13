//! A Stripe double in the bench process: it answers the calls the worker
//! makes at once (to measure our own overhead), or forwards them to
//! localstripe (the realistic path). Either way it notes when Stripe held
//! each new customer, and can enforce Stripe's rate limit with real 429s.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Map, Value};

use crate::client::Made;

/// Stripe's token bucket as the double models it: `per_second` calls a
/// second, with a burst of the same size.
struct Bucket {
    per_second: f64,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * self.per_second).min(self.per_second);
        self.at = now;
        let granted = self.tokens >= 1.0;
        if granted {
            self.tokens -= 1.0;
        }
        granted
    }
}

#[derive(Default)]
struct Recorded {
    /// Our customer id -> when Stripe answered its create.
    created: HashMap<String, Instant>,
    /// When each call that went through was answered.
    answered: Vec<Instant>,
}

struct State {
    upstream: Option<String>,
    http: reqwest::Client,
    limit: Mutex<Option<Bucket>>,
    customers: Mutex<HashMap<String, Value>>,
    recorded: Mutex<Recorded>,
    throttled: AtomicU64,
    next_id: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct StripeDouble {
    pub url: String,
    state: web::Data<State>,
    handle: ServerHandle,
}

impl StripeDouble {
    /// `upstream`: forward every call there (localstripe) instead of answering.
    pub fn start(upstream: Option<String>) -> anyhow::Result<Self> {
        let state = web::Data::new(State {
            upstream,
            http: reqwest::Client::new(),
            limit: Mutex::new(None),
            customers: Mutex::default(),
            recorded: Mutex::default(),
            throttled: AtomicU64::new(0),
            next_id: AtomicU64::new(1),
        });
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let data = state.clone();
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(handle))).workers(1).listen(listener)?.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { url, state, handle })
    }

    /// Turns Stripe's rate limit on (`Some`) or off.
    pub fn limit(&self, per_second: Option<f64>) {
        *lock(&self.state.limit) = per_second.map(|per_second| Bucket { per_second, tokens: per_second, at: Instant::now() });
    }

    /// When Stripe answered the create of our customer `id`, if it did.
    pub fn created_at(&self, id: &str) -> Option<Instant> {
        lock(&self.state.recorded).created.get(id).copied()
    }

    /// How many of `made` Stripe does not hold yet.
    pub fn missing(&self, made: &[Made]) -> usize {
        let recorded = lock(&self.state.recorded);
        made.iter().filter(|m| !recorded.created.contains_key(&m.id)).count()
    }

    /// Those of `made` that Stripe holds.
    pub fn held(&self, made: &[Made]) -> Vec<Made> {
        let recorded = lock(&self.state.recorded);
        made.iter().filter(|m| recorded.created.contains_key(&m.id)).cloned().collect()
    }

    /// Answer times of every call that went through since the last reset.
    pub fn answered(&self) -> Vec<Instant> {
        lock(&self.state.recorded).answered.clone()
    }

    pub fn throttled(&self) -> u64 {
        self.state.throttled.load(Ordering::Relaxed)
    }

    pub fn reset_counts(&self) {
        lock(&self.state.recorded).answered.clear();
        self.state.throttled.store(0, Ordering::Relaxed);
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

async fn handle(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(bucket) = lock(&state.limit).as_mut() {
        if !bucket.take() {
            state.throttled.fetch_add(1, Ordering::Relaxed);
            return HttpResponse::TooManyRequests()
                .json(json!({"error": {"type": "rate_limit_error", "message": "Too many requests hit the API too quickly."}}));
        }
    }
    let (status, answer) = match &state.upstream {
        Some(base) => forward(&state.http, base, &req, body.clone()).await,
        None => answer(&state, &req, &body),
    };
    let now = Instant::now();
    if status < 300 {
        let mut recorded = lock(&state.recorded);
        recorded.answered.push(now);
        if req.method() == "POST" && req.path() == "/v1/customers" {
            if let Some(ours) = form(&body).get("metadata[catalog_sync_id]") {
                recorded.created.entry(ours.clone()).or_insert(now);
            }
        }
    }
    let status = actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY);
    HttpResponse::build(status).content_type("application/json").body(answer)
}

fn form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter().collect()
}

async fn forward(http: &reqwest::Client, base: &str, req: &HttpRequest, body: web::Bytes) -> (u16, String) {
    let url = format!("{}{}", base.trim_end_matches('/'), req.uri().path_and_query().map_or("/", |p| p.as_str()));
    let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut call = http.request(method, url).body(body);
    for name in ["authorization", "idempotency-key", "content-type", "stripe-version"] {
        if let Some(value) = req.headers().get(name).and_then(|v| v.to_str().ok()) {
            call = call.header(name, value);
        }
    }
    match call.send().await {
        Ok(response) => (response.status().as_u16(), response.text().await.unwrap_or_default()),
        Err(e) => (502, json!({"error": {"type": "api_error", "message": e.to_string()}}).to_string()),
    }
}

/// The few calls the services make, answered from memory.
fn answer(state: &State, req: &HttpRequest, body: &[u8]) -> (u16, String) {
    let path: Vec<&str> = req.path().trim_matches('/').split('/').collect();
    let mut customers = lock(&state.customers);
    let missing = || (404, json!({"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such customer"}}));
    let (status, value) = match (req.method().as_str(), path.as_slice()) {
        ("POST", ["v1", "customers"]) => {
            let id = format!("cus_bench{}", state.next_id.fetch_add(1, Ordering::Relaxed));
            let customer =
                merged(json!({"id": id, "object": "customer", "created": chrono::Utc::now().timestamp(), "livemode": false}), body);
            customers.insert(id, customer.clone());
            (200, customer)
        }
        ("POST", ["v1", "customers", id]) => match customers.get_mut(*id) {
            Some(customer) => {
                *customer = merged(customer.take(), body);
                (200, customer.clone())
            }
            None => missing(),
        },
        ("DELETE", ["v1", "customers", id]) => match customers.remove(*id) {
            Some(_) => (200, json!({"id": id, "object": "customer", "deleted": true})),
            None => missing(),
        },
        ("GET", ["v1", "customers", id]) => customers.get(*id).map_or_else(missing, |c| (200, c.clone())),
        ("GET", ["v1", "customers"]) => {
            let query = form(req.query_string().as_bytes());
            let data: Vec<Value> = customers
                .values()
                .filter(|c| query.get("email").is_none_or(|e| c["email"].as_str() == Some(e)))
                .take(100)
                .cloned()
                .collect();
            (200, json!({"object": "list", "data": data, "has_more": false, "url": "/v1/customers"}))
        }
        _ => (404, json!({"error": {"type": "invalid_request_error", "message": format!("the double does not serve {}", req.path())}})),
    };
    (status, value.to_string())
}

/// `customer` with the form fields of a create or update applied.
fn merged(mut customer: Value, body: &[u8]) -> Value {
    let fields = form(body);
    let object = customer.as_object_mut().expect("customers are objects");
    for key in ["name", "email"] {
        object.entry(key).or_insert(Value::Null);
        if let Some(value) = fields.get(key) {
            object.insert(key.into(), Value::String(value.clone()));
        }
    }
    let mut metadata = object.get("metadata").and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
    for (key, value) in &fields {
        if let Some(name) = key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
            metadata.insert(name.into(), Value::String(value.clone()));
        }
    }
    object.insert("metadata".into(), Value::Object(metadata));
    customer
}
