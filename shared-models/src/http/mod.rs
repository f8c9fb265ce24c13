//! What every HTTP service shares about requests it did not expect: a
//! method label that cannot grow without bound, and an access-log line that
//! shows no query values (emails) and no oversized request lines; and the
//! server itself, whose every error answer carries the JSON body.

mod json_errors;
mod serve;

pub use serve::{serve, Serve};

use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

/// The body of every error answer: `{"error": {"code", "message"}}`.
pub fn error_body(code: &str, message: impl Into<String>) -> serde_json::Value {
    serde_json::json!({"error": {"code": code, "message": message.into()}})
}

/// Connections one worker thread holds at most; with the head timeout, a
/// crowd of idle connections cannot starve the service.
pub const MAX_CONNECTIONS_PER_WORKER: usize = 1_024;

/// Longest path shown in the access log.
const MAX_LOGGED_PATH: usize = 200;

/// The method as a metric label: the standard ones by name, any other (a
/// client may send any token, 60 KB long) as `OTHER`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// `GET /customers?email=…&limit=…`: the method label, the path cut at
/// [`MAX_LOGGED_PATH`] characters, the query's names without their values.
pub fn log_line(req: &ServiceRequest) -> String {
    let path = req.path();
    let mut line = format!("{} {}", method_label(req.method()), path.chars().take(MAX_LOGGED_PATH).collect::<String>());
    if path.chars().count() > MAX_LOGGED_PATH {
        line.push('…');
    }
    let query = req.query_string();
    if !query.is_empty() {
        let names: Vec<String> = query
            .split('&')
            .take(10)
            .map(|pair| pair.split('=').next().unwrap_or_default().chars().take(32).collect::<String>() + "=…")
            .collect();
        line.push('?');
        line.push_str(&names.join("&"));
    }
    line
}

/// actix's access log, with [`log_line`] for the request.
pub fn access_log() -> actix_web::middleware::Logger {
    actix_web::middleware::Logger::new("%{request}xi %s %Dms").custom_request_replace("request", log_line)
}

/// Answers 408 with the JSON error body when a request (its body included)
/// is not read and answered within `limit` (REQUEST_TIMEOUT_SECONDS): a
/// client that announces 1,000 bytes and sends 8 is cut off, not kept.
pub async fn deadline(
    limit: Duration,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(response) => response.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            let body = error_body("request_timeout", format!("the request was not received and answered within {} s", limit.as_secs()));
            Err(actix_web::error::InternalError::from_response("request timeout", HttpResponse::RequestTimeout().json(body)).into())
        }
    }
}

/// `HEAD` of every `GET` route: served as the `GET`, without its body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let response = next.call(req).await?.map_into_boxed_body();
    if !head {
        return Ok(response);
    }
    Ok(response.map_body(|_, _| BoxBody::new(())))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_log_line_hides_query_values_and_cuts_long_paths() {
        let req = TestRequest::get().uri("/customers?email=ada%40example.com&limit=5").to_srv_request();
        assert_eq!(log_line(&req), "GET /customers?email=…&limit=…");
        let long = format!("/{}", "a".repeat(5_000));
        let line = log_line(&TestRequest::get().uri(&long).to_srv_request());
        assert!(line.len() < 300 && line.ends_with('…'), "{line}");
        let odd = Method::from_bytes(&[b'X'; 6_000]).expect("a token");
        assert_eq!(method_label(&odd), "OTHER");
    }
}
