//! `POST /invoices/{id}/finalize`, `/pay`, `/void` and
//! `/mark-uncollectible`: the commands that move an invoice along Stripe's
//! state machine, each once per `Idempotency-Key`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use shared_models::db::invoices::{self, InvoiceChanges};
use shared_models::domain::invoice::Command;
use shared_models::sync::Operation;

use super::{connection, locked_live, parse_id, record_change};
use crate::error::ApiError;
use crate::idempotency;
use crate::invoice_views::InvoiceView;
use crate::openapi::responses as errors;
use crate::state::AppState;

/// Runs `command` on the invoice: its new status is a new version, synced.
async fn run(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: &str,
    body: web::Payload,
    command: Command,
    scope: &'static str,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(id)?;
    let body = match body.to_bytes_limited(crate::startup::MAX_BODY_BYTES).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return Err(ApiError::InvalidJson("the request body could not be read".into())),
        Err(_) => return Err(ApiError::PayloadTooLarge { limit: crate::startup::MAX_BODY_BYTES }),
    };
    // The command is all there is to say; a body is a mistake worth telling.
    if !body.iter().all(u8::is_ascii_whitespace) && body.trim_ascii() != b"{}" {
        return Err(ApiError::Validation { field: None, message: format!("{} takes no request body", command.name()) });
    }
    let request = idempotency::Request::read(&req, scope, &[&id.to_string()])?;
    let mut conn = connection(&state).await?;
    let outcome = idempotency::once(&mut conn, &request, StatusCode::OK, async |conn| {
        let current = locked_live(conn, id).await?;
        let status = command.apply(current.status).map_err(ApiError::InvalidTransition)?;
        if command == Command::Finalize && current.lines.is_empty() {
            return Err(ApiError::InvalidTransition("the invoice has no lines: add one before finalizing".into()));
        }
        let updated = invoices::update(conn, current.id, &InvoiceChanges { status: Some(status), ..Default::default() }).await?;
        record_change(conn, &state, updated, Operation::Updated).await
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(outcome.respond(|view: InvoiceView| HttpResponse::Ok().json(view)))
}

/// Finalizes a draft: `open`, awaiting payment; its money fields are
/// locked from now on.
#[utoipa::path(
    operation_id = "finalize_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id."), ("Idempotency-Key" = Option<String>, Header, nullable = false)),
    responses(
        (status = 200, description = "The invoice, now open.", body = InvoiceView),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::InvalidTransition),
        (status = 422, response = errors::CommandRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/invoices/{id}/finalize")]
pub async fn finalize(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    run(state, req, &id, body, Command::Finalize, "POST /invoices/{id}/finalize").await
}

/// Records that an open or uncollectible invoice was paid outside Stripe
/// (Stripe marks it `paid_out_of_band`).
#[utoipa::path(
    operation_id = "pay_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id."), ("Idempotency-Key" = Option<String>, Header, nullable = false)),
    responses(
        (status = 200, description = "The invoice, now paid.", body = InvoiceView),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::InvalidTransition),
        (status = 422, response = errors::CommandRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/invoices/{id}/pay")]
pub async fn pay(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    run(state, req, &id, body, Command::Pay, "POST /invoices/{id}/pay").await
}

/// Voids an open or uncollectible invoice (final).
#[utoipa::path(
    operation_id = "void_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id."), ("Idempotency-Key" = Option<String>, Header, nullable = false)),
    responses(
        (status = 200, description = "The invoice, now void.", body = InvoiceView),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::InvalidTransition),
        (status = 422, response = errors::CommandRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/invoices/{id}/void")]
pub async fn void(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    run(state, req, &id, body, Command::Void, "POST /invoices/{id}/void").await
}

/// Writes off an open invoice; it can still be paid or voided.
#[utoipa::path(
    operation_id = "mark_invoice_uncollectible",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id."), ("Idempotency-Key" = Option<String>, Header, nullable = false)),
    responses(
        (status = 200, description = "The invoice, now uncollectible.", body = InvoiceView),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::InvalidTransition),
        (status = 422, response = errors::CommandRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/invoices/{id}/mark-uncollectible")]
pub async fn mark_uncollectible(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    run(state, req, &id, body, Command::MarkUncollectible, "POST /invoices/{id}/mark-uncollectible").await
}
