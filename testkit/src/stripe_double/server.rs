//! How the double answers one call: rate limit, fault, then the call lands
//! (idempotency key, then the emulator or memory) and is recorded.

use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::hybrid;
use super::idempotency::{self, Admission};
use super::{lock, Fault, Logged, State};

/// A call as it travels to "Stripe": owned, so it can land after its caller left.
struct Call {
    method: String,
    path: String,
    query: String,
    headers: Vec<(&'static str, String)>,
    body: web::Bytes,
    key: Option<String>,
}

/// What Stripe answered.
struct Answer {
    status: u16,
    body: String,
    replayed: bool,
}

pub(super) async fn handle(state: web::Data<State>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if let Some(bucket) = lock(&state.limit).as_mut() {
        if !bucket.take() {
            state.throttled.fetch_add(1, Ordering::Relaxed);
            return respond(429, &error("rate_limit_error", "Too many requests hit the API too quickly."), false);
        }
    }
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let fault = lock(&state.faults).pick(&method, &path);
    if let Some(Fault::Fail(status)) = fault {
        record(&state, &Call::from_request(&req, body, method, path), fault, &Answer { status, body: String::new(), replayed: false });
        let body = error("api_error", "An error occurred with our connection to Stripe (played by the double).");
        return HttpResponse::build(status_code(status))
            .insert_header(("Stripe-Should-Retry", "true"))
            .content_type("application/json")
            .body(body);
    }
    let call = Call::from_request(&req, body, method, path);
    // Landing is a task of its own: it goes on when the caller gives up.
    let landing = tokio::spawn(land(state.clone(), call, fault));
    match fault {
        Some(Fault::LoseAnswer | Fault::HoldAndLose(_)) => std::future::pending().await,
        Some(Fault::Slow(delay)) => {
            let answer = landing.await;
            tokio::time::sleep(delay).await;
            answered(answer)
        }
        _ => answered(landing.await),
    }
}

fn answered(landed: Result<Answer, tokio::task::JoinError>) -> HttpResponse {
    match landed {
        Ok(answer) => respond(answer.status, &answer.body, answer.replayed),
        Err(e) => respond(500, &error("api_error", &format!("the double failed: {e}")), false),
    }
}

async fn land(state: web::Data<State>, call: Call, fault: Option<Fault>) -> Answer {
    if let Some(Fault::Hold(limit) | Fault::HoldAndLose(limit)) = fault {
        state.held.fetch_add(1, Ordering::SeqCst);
        let mut release = state.release.subscribe();
        let released = release.changed();
        match limit {
            Some(limit) => {
                let _ = tokio::time::timeout(limit, released).await;
            }
            None => {
                let _ = released.await;
            }
        }
        state.held.fetch_sub(1, Ordering::SeqCst);
    }
    let answer = match &call.key {
        Some(key) => {
            let admission = lock(&state.keys).admit(key, idempotency::params(&call.method, &call.path, &call.body));
            match admission {
                Admission::Execute => {
                    let (status, body, executed) = match fault {
                        Some(Fault::ServerError { status, landed }) => server_error(&state, &call, status, landed).await,
                        _ => execute(&state, &call).await,
                    };
                    lock(&state.keys).finish(key, status, &body, executed);
                    Answer { status, body, replayed: false }
                }
                Admission::Replay { status, body } => Answer { status, body, replayed: true },
                Admission::Refuse { status, body } => Answer { status, body, replayed: false },
            }
        }
        None => {
            let (status, body, _) = match fault {
                Some(Fault::ServerError { status, landed }) => server_error(&state, &call, status, landed).await,
                _ => execute(&state, &call).await,
            };
            Answer { status, body, replayed: false }
        }
    };
    record(&state, &call, fault, &answer);
    answer
}

/// A request that began executing and failed (`Fault::ServerError`), with
/// or without its effect: kept under its key like any executed answer.
async fn server_error(state: &State, call: &Call, status: u16, landed: bool) -> (u16, String, bool) {
    if landed {
        execute(state, call).await;
    }
    (status, error("api_error", "Something went wrong on Stripe's end (played by the double, kept under the key)."), true)
}

/// (status, body, whether it reached the store at all).
async fn execute(state: &State, call: &Call) -> (u16, String, bool) {
    let base = match &state.upstream {
        Some(_) if hybrid::merges_events(state, &call.method, &call.path) => {
            return hybrid::events(state, &call.query, forward(state, call)).await;
        }
        Some(base) if !hybrid::served_here(state, &call.path) => base,
        _ => {
            let (status, value, executed) = lock(&state.memory).execute(&call.method, &call.path, &call.query, &call.body);
            return (status, value.to_string(), executed);
        }
    };
    forward_to(state, call, base).await
}

async fn forward(state: &State, call: &Call) -> (u16, String, bool) {
    match &state.upstream {
        Some(base) => forward_to(state, call, base).await,
        None => (502, error("api_error", "no upstream"), false),
    }
}

/// The call as the emulator at `base` answers it.
async fn forward_to(state: &State, call: &Call, base: &str) -> (u16, String, bool) {
    let mut url = format!("{}{}", base.trim_end_matches('/'), call.path);
    if !call.query.is_empty() {
        url = format!("{url}?{}", call.query);
    }
    let method = reqwest::Method::from_bytes(call.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = state.http.request(method, url).body(call.body.clone());
    for (name, value) in &call.headers {
        request = request.header(*name, value);
    }
    match request.send().await {
        Ok(response) => (response.status().as_u16(), response.text().await.unwrap_or_default(), true),
        Err(e) => (502, error("api_error", &e.to_string()), false),
    }
}

fn record(state: &State, call: &Call, fault: Option<Fault>, answer: &Answer) {
    let now = Instant::now();
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&call.body).unwrap_or_default();
    let mut recorded = lock(&state.recorded);
    if answer.status < 300 {
        recorded.answered.push(now);
        if call.method == "POST" && call.path == "/v1/customers" {
            if let Some((_, ours)) = form.iter().find(|(k, _)| k == "metadata[catalog_sync_id]") {
                recorded.created.entry(ours.clone()).or_insert(now);
            }
        }
    }
    recorded.log.push(Logged {
        method: call.method.clone(),
        path: call.path.clone(),
        idempotency_key: call.key.clone(),
        fault,
        status: answer.status,
        replayed: answer.replayed,
        form,
    });
}

impl Call {
    fn from_request(req: &HttpRequest, body: web::Bytes, method: String, path: String) -> Self {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let headers = ["authorization", "idempotency-key", "content-type", "stripe-version"]
            .into_iter()
            .filter_map(|name| header(name).map(|v| (name, v)))
            .collect();
        // Stripe keeps keys for POSTs only; a DELETE is idempotent by itself.
        let key = header("idempotency-key").filter(|_| method == "POST");
        Self { method, path, query: req.query_string().to_owned(), headers, body, key }
    }
}

fn status_code(status: u16) -> actix_web::http::StatusCode {
    actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_GATEWAY)
}

fn respond(status: u16, body: &str, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::build(status_code(status));
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.content_type("application/json").body(body.to_owned())
}

fn error(kind: &str, message: &str) -> String {
    json!({"error": {"type": kind, "message": message}}).to_string()
}
