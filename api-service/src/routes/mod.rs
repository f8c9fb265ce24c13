mod customers;
mod dead_letters;
mod health;
mod held_deletions;
mod invoices;
mod reconcile;
mod sync;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::path::PathItem;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Registers every endpoint. Each handler carries its method and path (the
/// actix attribute) and its documentation (`#[utoipa::path]`); `service()`
/// here accepts only documented handlers and adds each one to the OpenAPI
/// document, so what is served and what is documented cannot differ. Add
/// routes with `service()` only, never `route()`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .service(health::metrics)
        .service(dead_letters::list)
        .service(dead_letters::replay)
        .service(held_deletions::list)
        .service(held_deletions::release)
        .service(held_deletions::discard)
        .service(held_deletions::release_all)
        .service(held_deletions::discard_all)
        .service(reconcile::start)
        .service(reconcile::list)
        .service(reconcile::get)
        .service(sync::conflicts)
        .service(sync::status)
        .service(customers::create::create)
        .service(customers::read::list)
        .service(customers::read::get)
        .service(customers::write::replace)
        .service(customers::write::patch)
        .service(customers::write::delete)
        .service(invoices::create::create)
        .service(invoices::read::list)
        .service(invoices::read::get)
        .service(invoices::write::patch)
        .service(invoices::write::delete)
        .service(invoices::commands::finalize)
        .service(invoices::commands::pay)
        .service(invoices::commands::void)
        .service(invoices::commands::mark_uncollectible);
}

/// Every handler is a resource of its own, so a served path asked with a
/// method it does not serve would fall through to `not_found`. These
/// resources, one per documented path and registered after the handlers,
/// answer it with 405 and `Allow` instead (as a resource with several
/// routes, like `/customers/{id}`, always did).
pub fn method_not_allowed(cfg: &mut web::ServiceConfig, doc: &OpenApi) {
    for (path, item) in doc.paths.paths.iter() {
        let allow = methods(item).join(", ");
        cfg.service(web::resource(path.as_str()).to(move || {
            let allow = allow.clone();
            async move {
                let message = format!("this path answers {allow}");
                let body = shared_models::http::error_body("method_not_allowed", message);
                HttpResponse::MethodNotAllowed().insert_header((header::ALLOW, allow)).json(body)
            }
        }));
    }
}

/// The methods a documented path serves.
fn methods(item: &PathItem) -> Vec<&'static str> {
    let operations = [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
        ("HEAD", &item.head),
        ("OPTIONS", &item.options),
        ("TRACE", &item.trace),
    ];
    operations.into_iter().filter(|(_, operation)| operation.is_some()).map(|(method, _)| method).collect()
}

/// An optional JSON body: none (or only whitespace) is `T::default()`; a
/// malformed one is refused like any other body, never taken as none. It
/// must be sent as `application/json` even when empty, so that no HTML form
/// (another site's included) can make the request.
async fn optional_json<T: serde::de::DeserializeOwned + Default>(req: &HttpRequest, payload: web::Payload) -> Result<T, ApiError> {
    let json = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = match payload.to_bytes_limited(crate::startup::MAX_BODY_BYTES).await {
        Ok(Ok(body)) => body,
        Ok(Err(e)) => {
            log::warn!("request body unreadable: {e}");
            return Err(ApiError::InvalidJson("the request body could not be read (is its Content-Encoding right?)".into()));
        }
        Err(_) => return Err(ApiError::PayloadTooLarge { limit: crate::startup::MAX_BODY_BYTES }),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&body).map_err(|e| {
        if e.is_data() {
            ApiError::Validation { field: None, message: e.to_string() }
        } else {
            ApiError::InvalidJson(e.to_string())
        }
    })
}

pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no route for {} {}", req.method(), req.path())))
}
