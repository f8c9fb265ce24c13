//! `PUT`, `PATCH` and `DELETE /customers/{id}`: changes to a live customer.

use actix_web::{delete, patch, put, web, HttpResponse};
use diesel_async::AsyncConnection;
use shared_models::db::customers::{self, CustomerChanges};
use shared_models::db::invoices;
use shared_models::domain::{CustomerId, CustomerName, Email};
use shared_models::sync::Operation;

use super::input::{CustomerFields, CustomerInput, Parsed};
use super::{connection, email_conflict, locked_live, parse_id, record_change, view_of};
use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::state::AppState;
use crate::views::CustomerView;

/// Replaces a customer's fields (both required).
///
/// A change makes a new `version` and is queued for every integration;
/// values equal to the current ones change nothing.
#[utoipa::path(
    operation_id = "replace_customer",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    request_body(content = CustomerFields, description = "Both fields are required."),
    responses(
        (status = 200, description = "The customer as it is now.", body = CustomerView),
        (status = 400, response = errors::InvalidJson),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::EmailTaken),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[put("/customers/{id}")]
pub async fn replace(state: web::Data<AppState>, id: web::Path<String>, body: web::Json<CustomerInput>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    update(state, id, body.into_inner().parse(true)?).await
}

/// Changes some of a customer's fields (at least one).
///
/// Fields left out keep their values. A change makes a new `version` and is
/// queued for every integration; values equal to the current ones change
/// nothing.
#[utoipa::path(
    operation_id = "update_customer",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    request_body(content = CustomerInput, description = "At least one field."),
    responses(
        (status = 200, description = "The customer as it is now.", body = CustomerView),
        (status = 400, response = errors::InvalidJson),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::EmailTaken),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[patch("/customers/{id}")]
pub async fn patch(state: web::Data<AppState>, id: web::Path<String>, body: web::Json<CustomerInput>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    update(state, id, body.into_inner().parse(false)?).await
}

async fn update(state: web::Data<AppState>, id: CustomerId, input: Parsed) -> Result<HttpResponse, ApiError> {
    let mut conn = connection(&state).await?;
    let view = conn
        .transaction::<CustomerView, ApiError, _>(async |conn| {
            let current = locked_live(conn, id).await?;
            let changes = CustomerChanges {
                name: input.name.as_ref().map(CustomerName::as_str).filter(|n| *n != current.name),
                email: input.email.as_ref().map(Email::as_str).filter(|e| *e != current.email),
            };
            if changes.name.is_none() && changes.email.is_none() {
                // Nothing differs: no new version, nothing to sync.
                return view_of(conn, current).await;
            }
            let updated = customers::update(conn, current.id, &changes).await.map_err(|e| match &input.email {
                Some(email) => email_conflict(e, email),
                None => e.into(),
            })?;
            record_change(conn, &state, updated, Operation::Updated).await
        })
        .await?;
    state.relay_wakeup.notify_one();
    Ok(HttpResponse::Ok().json(view))
}

/// Deletes a customer, here and in every integration.
///
/// Refused (409) while the customer has drafts or open invoices: they bill
/// it. Paid, void and uncollectible invoices stay, naming it.
#[utoipa::path(
    operation_id = "delete_customer",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 204, description = "Deleted; the deletion is queued for every integration."),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::CustomerHasOpenInvoices),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[delete("/customers/{id}")]
pub async fn delete(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let mut conn = connection(&state).await?;
    conn.transaction::<(), ApiError, _>(async |conn| {
        let current = locked_live(conn, id).await?;
        // Locked first: an invoice being made for it now waits, and is counted.
        let unsettled = invoices::count_unsettled(conn, current.id).await?;
        if unsettled > 0 {
            return Err(ApiError::CustomerHasOpenInvoices(format!(
                "the customer has {unsettled} draft or open invoice(s): delete the drafts and void or settle the open ones first"
            )));
        }
        let deleted = customers::soft_delete(conn, current.id).await?;
        record_change(conn, &state, deleted, Operation::Deleted).await?;
        Ok(())
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
