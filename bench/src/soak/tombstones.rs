//! localstripe forgets a deleted customer: its retrieve answers 404. Stripe
//! keeps it: the retrieve answers 200 `{"id", "object": "customer",
//! "deleted": true}`, and that is the only read the sync takes for a delete
//! (a bare 404 is `Missing`, never a delete). So a delete read back from
//! Stripe (a write that met a deleted customer, a held delete an operator
//! released) could never be taken in against localstripe alone.
//!
//! This shim stands in front of localstripe, for the Stripe double and the
//! person alike: it remembers every customer deleted through it and answers
//! their retrieves as Stripe does. Every other call passes through as it is.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Mutex, PoisonError};

use actix_web::dev::ServerHandle;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;

struct State {
    upstream: String,
    http: reqwest::Client,
    deleted: Mutex<HashSet<String>>,
}

pub struct Tombstones {
    pub url: String,
    handle: ServerHandle,
}

impl Tombstones {
    /// Serves on a free port of 127.0.0.1, forwarding to `upstream`.
    pub fn start(upstream: &str) -> std::io::Result<Self> {
        let state = web::Data::new(State {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            deleted: Mutex::default(),
        });
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let server = HttpServer::new(move || App::new().app_data(state.clone()).default_service(web::to(forward)))
            .workers(1)
            .disable_signals()
            .listen(listener)?
            .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { url, handle })
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// `/v1/customers/<id>` and nothing below it.
fn customer_id(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/customers/").filter(|id| !id.is_empty() && !id.contains('/'))
}

async fn forward(req: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let target = req.uri().path_and_query().map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let Ok(method) = reqwest::Method::from_bytes(req.method().as_str().as_bytes()) else {
        return HttpResponse::MethodNotAllowed().finish();
    };
    let mut call = state.http.request(method, format!("{}{target}", state.upstream)).body(body.to_vec());
    for (name, value) in req.headers().iter().filter(|(n, _)| *n != header::HOST && *n != header::CONTENT_LENGTH) {
        call = call.header(name.as_str(), value.as_bytes());
    }
    let answer = match call.send().await {
        Ok(answer) => answer,
        Err(e) => return HttpResponse::BadGateway().body(format!("localstripe did not answer: {e}")),
    };
    let status = answer.status().as_u16();
    let content_type = answer.headers().get("content-type").map(|v| v.as_bytes().to_vec());
    let bytes = answer.bytes().await.unwrap_or_default();
    if let Some(id) = customer_id(req.uri().path()) {
        let mut deleted = state.deleted.lock().unwrap_or_else(PoisonError::into_inner);
        if req.method() == Method::DELETE && status == 200 {
            deleted.insert(id.to_owned());
        } else if req.method() == Method::GET && status == 404 && deleted.contains(id) {
            return HttpResponse::Ok().json(json!({"id": id, "object": "customer", "deleted": true}));
        }
    }
    let mut out = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY));
    if let Some(content_type) = content_type {
        out.insert_header((header::CONTENT_TYPE, content_type));
    }
    out.body(bytes)
}
