mod customers;
mod health;
mod sync;

use actix_web::{web, HttpRequest};

use crate::error::ApiError;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health", web::get().to(health::health))
        .route("/ready", web::get().to(health::ready))
        .route("/sync/conflicts", web::get().to(sync::conflicts))
        .route("/sync/status", web::get().to(sync::status))
        .service(web::resource("/customers").route(web::post().to(customers::create)).route(web::get().to(customers::list)))
        .service(
            web::resource("/customers/{id}")
                .route(web::get().to(customers::get))
                .route(web::put().to(customers::replace))
                .route(web::patch().to(customers::patch))
                .route(web::delete().to(customers::delete)),
        );
}

pub async fn not_found(req: HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!("no route for {} {}", req.method(), req.path())))
}
