//! Every endpoint but `/health`, `/ready` and the API's documentation needs
//! an API key with the scope of what it does: `read` to look, `write` to
//! change the catalog, `operate` for dead letters, reconciles and metrics.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web;
use shared_models::auth::Scope;

use crate::error::ApiError;
use crate::state::AppState;

/// The scope a request needs; `None` for what is open to all.
pub fn needed(method: &Method, path: &str) -> Option<Scope> {
    match path {
        "/health" | "/ready" | "/openapi.json" | "/docs" => None,
        _ if path.starts_with("/docs/") => None,
        "/metrics" => Some(Scope::Operate),
        _ if ["/sync/dead-letters", "/sync/reconcile", "/sync/held-deletions"].iter().any(|p| path.starts_with(p)) => Some(Scope::Operate),
        _ if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) => Some(Scope::Read),
        _ => Some(Scope::Write),
    }
}

/// Refuses a request without a key of the scope it needs (401, 403), with
/// the JSON error body, before anything else reads it.
pub async fn require_key(req: ServiceRequest, next: Next<impl MessageBody>) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Some(scope) = needed(req.method(), req.path()) {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        if let Some(state) = state {
            let authorization = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            state.auth.check(authorization, scope).await.map_err(ApiError::from)?;
        }
    }
    // A malformed key is told before the body is read (a bad body too gets 400, not 422).
    crate::idempotency::check(req.headers())?;
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_needs_the_scope_of_what_it_does() {
        assert_eq!(needed(&Method::GET, "/health"), None);
        assert_eq!(needed(&Method::GET, "/docs/index.html"), None);
        assert_eq!(needed(&Method::GET, "/customers"), Some(Scope::Read));
        assert_eq!(needed(&Method::HEAD, "/customers/x"), Some(Scope::Read));
        assert_eq!(needed(&Method::POST, "/customers"), Some(Scope::Write));
        assert_eq!(needed(&Method::DELETE, "/customers/x"), Some(Scope::Write));
        assert_eq!(needed(&Method::GET, "/sync/status"), Some(Scope::Read));
        assert_eq!(needed(&Method::GET, "/sync/dead-letters"), Some(Scope::Operate));
        assert_eq!(needed(&Method::POST, "/sync/reconcile"), Some(Scope::Operate));
        assert_eq!(needed(&Method::GET, "/sync/held-deletions"), Some(Scope::Operate));
        assert_eq!(needed(&Method::POST, "/sync/held-deletions/x/release"), Some(Scope::Operate));
        assert_eq!(needed(&Method::GET, "/metrics"), Some(Scope::Operate));
        assert_eq!(needed(&Method::POST, "/nowhere"), Some(Scope::Write));
    }
}
