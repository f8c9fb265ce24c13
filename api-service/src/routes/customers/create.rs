//! `POST /customers`: a new customer, once per `Idempotency-Key`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use shared_models::db::customers;
use shared_models::domain::CustomerId;
use shared_models::sync::Operation;

use super::input::{CustomerFields, CustomerInput};
use super::{connection, email_conflict, record_change};
use crate::error::ApiError;
use crate::idempotency;
use crate::openapi::responses as errors;
use crate::state::AppState;
use crate::views::CustomerView;

const IDEMPOTENCY_SCOPE: &str = "POST /customers";

/// Creates a customer.
///
/// The change is queued for every integration in the same transaction. With
/// an `Idempotency-Key`, a retry of the same body returns the first response
/// (with `Idempotent-Replayed: true`) instead of creating another customer.
#[utoipa::path(
    operation_id = "create_customer",
    tag = "customers",
    params(
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, example = "order-42",
            description = "Makes retries safe: a request with a key already used for the same body gets the stored response; \
                           for another body, `idempotency_key_reused`. 1 to 255 visible ASCII characters."),
    ),
    request_body(content = CustomerFields, description = "Both fields are required."),
    responses(
        (status = 201, description = "Created; or, for a key already used with the same body, the first response replayed.",
            body = CustomerView,
            headers(
                ("Location" = String, description = "`/customers/{id}` of the new customer (not sent on a replay)."),
                ("Idempotent-Replayed" = String, description = "`true` when the body is the stored response of an earlier request."),
            )),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 409, response = errors::EmailTaken),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::CreateRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/customers")]
pub async fn create(state: web::Data<AppState>, req: HttpRequest, body: web::Json<CustomerInput>) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().parse(true)?;
    let (Some(name), Some(email)) = (input.name, input.email) else {
        return Err(ApiError::Internal("parse(true) returned a partial input".into()));
    };
    let request = idempotency::Request::read(&req, IDEMPOTENCY_SCOPE, &[name.as_str(), email.as_str()])?;
    let mut conn = connection(&state).await?;

    let outcome = idempotency::once(&mut conn, &request, StatusCode::CREATED, async |conn| {
        let customer = customers::insert(conn, CustomerId::generate(), &name, &email).await.map_err(|e| email_conflict(e, &email))?;
        record_change(conn, &state, customer, Operation::Created).await
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(outcome.respond(|view| HttpResponse::Created().insert_header(("Location", format!("/customers/{}", view.id))).json(view)))
}
