//! Our own Stripe double: an HTTP server that stands in for Stripe's API.
//! It forwards each call to an emulator (localstripe) or answers from memory,
//! honours idempotency keys as Stripe does (the emulator ignores them),
//! can enforce Stripe's rate limit with real 429s, and plays the faults the
//! emulator cannot (see `faults`). It notes when each of our customers was
//! created, and how each call went. In memory mode it also holds invoices,
//! records Stripe's events and can deliver them as webhooks (`controls`).

mod controls;
mod faults;
mod hybrid;
mod idempotency;
mod memory;
mod server;
mod webhooks;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};
use serde_json::Value;
use tokio::sync::watch;

pub use faults::{Calls, Chaos, Fault};
pub use webhooks::sign_webhook;

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

/// One call as the double saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    pub fault: Option<Fault>,
    /// The status Stripe gave it (what the caller got, unless its answer was lost).
    pub status: u16,
    /// Answered from its idempotency key rather than executed.
    pub replayed: bool,
    pub form: Vec<(String, String)>,
}

#[derive(Default)]
struct Recorded {
    /// Our customer id -> when Stripe answered its create.
    created: HashMap<String, Instant>,
    /// When each call that went through was answered.
    answered: Vec<Instant>,
    log: Vec<Logged>,
    /// Calls made through `dashboard`, kept apart from ours.
    dashboard: Vec<Logged>,
}

struct State {
    upstream: Option<String>,
    http: reqwest::Client,
    limit: Mutex<Option<Bucket>>,
    memory: Mutex<memory::Memory>,
    keys: Mutex<idempotency::Keys>,
    faults: Mutex<faults::Faults>,
    recorded: Mutex<Recorded>,
    /// Bumped to let every held request land.
    release: watch::Sender<u64>,
    held: AtomicU64,
    throttled: AtomicU64,
    /// Invoices answered from memory behind an upstream (`hybrid`).
    invoices_here: AtomicBool,
    deliveries: webhooks::Deliveries,
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
    pub fn start(upstream: Option<String>) -> std::io::Result<Self> {
        let (release, _) = watch::channel(0);
        let state = web::Data::new(State {
            upstream,
            http: reqwest::Client::new(),
            limit: Mutex::new(None),
            memory: Mutex::default(),
            keys: Mutex::default(),
            faults: Mutex::default(),
            recorded: Mutex::default(),
            release,
            held: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            invoices_here: AtomicBool::new(false),
            deliveries: webhooks::Deliveries::default(),
        });
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let data = state.clone();
        let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(server::handle)))
            .workers(1)
            .disable_signals()
            .listen(listener)?
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { url, state, handle })
    }

    /// Turns Stripe's rate limit on (`Some`) or off.
    pub fn limit(&self, per_second: Option<f64>) {
        *lock(&self.state.limit) = per_second.map(|per_second| Bucket { per_second, tokens: per_second, at: Instant::now() });
    }

    /// The next `times` calls matching `calls` (all of them if `None`) get `fault`.
    pub fn fault(&self, calls: Calls, fault: Fault, times: Option<u32>) {
        lock(&self.state.faults).add(calls, fault, times);
    }

    /// Random faults on writes, from a seed (`None` turns them off).
    pub fn chaos(&self, chaos: Option<Chaos>) {
        lock(&self.state.faults).chaos(chaos);
    }

    /// Drops every fault rule and the chaos; held requests stay held.
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Lets every request held without a time limit land now.
    pub fn release_held(&self) {
        self.state.release.send_modify(|g| *g += 1);
    }

    /// Requests held on their way that have not landed yet.
    pub fn held(&self) -> u64 {
        self.state.held.load(Ordering::SeqCst)
    }

    /// Every call so far, in the order they were answered (or landed).
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.state.recorded).log.clone()
    }

    /// Answers replayed from an idempotency key.
    pub fn replays(&self) -> u64 {
        lock(&self.state.keys).replays()
    }

    /// The customers held in memory (without an upstream), oldest first.
    pub fn customers(&self) -> Vec<Value> {
        lock(&self.state.memory).customers()
    }

    /// When Stripe answered the create of our customer `id`, if it did.
    pub fn created_at(&self, id: &str) -> Option<Instant> {
        lock(&self.state.recorded).created.get(id).copied()
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
        // Ends webhook delivery once what was recorded went out.
        lock(&self.state.memory).deliver_to(None);
        self.release_held();
        self.handle.stop(false).await;
    }
}
