//! `PATCH` and `DELETE /invoices/{id}`: edits of a live invoice, by what
//! its status allows.

use actix_web::{delete, patch, web, HttpResponse};
use diesel_async::AsyncConnection;
use shared_models::db::invoices::{self, Invoice, InvoiceChanges};
use shared_models::domain::invoice::{self, CollectionMethod, Currency, InvoiceStatus};
use shared_models::sync::Operation;

use super::input::{collection_method, InvoicePatch};
use super::{connection, locked_live, parse_id, record_change, view_of};
use crate::error::ApiError;
use crate::invoice_views::InvoiceView;
use crate::openapi::responses as errors;
use crate::state::AppState;

/// Changes some of an invoice's fields (at least one).
///
/// A draft takes any field; once finalized, only `description` and
/// `metadata` change (as in Stripe), and any other field is a 409 that
/// names it. A change makes a new `version` and is synced; values equal to
/// the current ones change nothing.
#[utoipa::path(
    operation_id = "update_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id.")),
    request_body(content = InvoicePatch, description = "At least one field."),
    responses(
        (status = 200, description = "The invoice as it is now.", body = InvoiceView),
        (status = 400, response = errors::InvalidJson),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::NotEditable),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[patch("/invoices/{id}")]
pub async fn patch(state: web::Data<AppState>, id: web::Path<String>, body: web::Json<InvoicePatch>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let mut input = body.into_inner();
    if input.customer_id.is_some() {
        let message = "an invoice's customer cannot change: delete or void it and create another".to_owned();
        return Err(ApiError::Validation { field: Some("customer_id".into()), message });
    }
    if input.is_empty() {
        return Err(ApiError::Validation { field: None, message: "give at least one field to change".into() });
    }
    let mut conn = connection(&state).await?;
    let view = conn
        .transaction::<InvoiceView, ApiError, _>(async |conn| {
            let current = locked_live(conn, id).await?;
            let draft_only = input.draft_only_fields();
            if current.status != InvoiceStatus::Draft && !draft_only.is_empty() {
                return Err(ApiError::NotEditable(format!(
                    "the invoice is {}: once finalized only description and metadata can change, not {}",
                    current.status.as_str(),
                    draft_only.join(", ")
                )));
            }
            // Stripe's update takes description on an open invoice ("Once an
            // invoice is finalized, monetary values, as well as
            // collection_method, become uneditable", docs.stripe.com/api/invoices/update)
            // but not, as far as its documents let one tell, once paid or
            // void ("Finalized invoices can't be updated in this way"):
            // only metadata changes then, here as there.
            if matches!(current.status, InvoiceStatus::Paid | InvoiceStatus::Void) && input.description.is_some() {
                return Err(ApiError::NotEditable(format!(
                    "the invoice is {}: once paid or void only its metadata can change, not its description",
                    current.status.as_str()
                )));
            }
            let parsed = Parsed::of(&mut input, &current)?;
            let changes = parsed.changes(&current);
            if changes.is_empty() {
                // Nothing differs: no new version, nothing to sync.
                return view_of(conn, current).await;
            }
            let updated = invoices::update(conn, current.id, &changes).await?;
            record_change(conn, &state, updated, Operation::Updated).await
        })
        .await?;
    state.relay_wakeup.notify_one();
    Ok(HttpResponse::Ok().json(view))
}

/// The patch's values, checked against the invoice they change.
struct Parsed {
    description: Option<Option<String>>,
    collection_method: CollectionMethod,
    days_until_due: Option<i32>,
    lines: Option<invoice::Lines>,
    metadata: Option<invoice::Metadata>,
}

impl Parsed {
    fn of(input: &mut InvoicePatch, current: &Invoice) -> Result<Self, ApiError> {
        let method = input.collection_method.as_deref().map(collection_method).transpose()?.unwrap_or(current.collection_method);
        // Switching to charge_automatically drops the days it does not take.
        let days = match input.days_until_due {
            Some(days) => days,
            None if method == CollectionMethod::ChargeAutomatically => None,
            None => current.days_until_due,
        };
        let currency = input.currency.as_deref().map(Currency::parse).transpose()?;
        if currency.as_ref().is_some_and(|c| c.as_str() != current.currency) {
            // Stripe fixes an invoice's currency when the draft is made, and
            // its items must bill in it: the sync could not carry the change.
            let message =
                "an invoice's currency cannot change (Stripe fixes it with the draft): delete the draft and create another".to_owned();
            return Err(ApiError::Validation { field: Some("currency".into()), message });
        }
        let lines = input.lines(&current.lines)?;
        if let Some(lines) = &lines {
            Currency::parse(&current.currency)?.bills(lines)?;
        }
        Ok(Self {
            description: input.description.clone().map(|d| d.as_deref().map(invoice::description).transpose()).transpose()?,
            collection_method: method,
            days_until_due: invoice::days_until_due(method, days)?,
            lines,
            metadata: input.metadata.as_ref().map(|m| current.metadata.edited(m)).transpose()?,
        })
    }

    /// Only what differs from `current`.
    fn changes<'a>(&'a self, current: &Invoice) -> InvoiceChanges<'a> {
        InvoiceChanges {
            currency: None,
            description: self.description.as_ref().map(Option::as_deref).filter(|d| *d != current.description.as_deref()),
            collection_method: Some(self.collection_method).filter(|m| *m != current.collection_method),
            days_until_due: Some(self.days_until_due).filter(|d| *d != current.days_until_due),
            status: None,
            lines: self.lines.as_ref().filter(|l| **l != current.lines),
            metadata: self.metadata.as_ref().filter(|m| **m != current.metadata),
        }
    }
}

/// Deletes a draft, here and in Stripe. A finalized invoice is voided
/// instead (`POST /invoices/{id}/void`).
#[utoipa::path(
    operation_id = "delete_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id.")),
    responses(
        (status = 204, description = "Deleted; the deletion is synced."),
        (status = 404, response = errors::NotFound),
        (status = 409, response = errors::InvalidTransition),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[delete("/invoices/{id}")]
pub async fn delete(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let mut conn = connection(&state).await?;
    conn.transaction::<(), ApiError, _>(async |conn| {
        let current = locked_live(conn, id).await?;
        let instead = match current.status {
            InvoiceStatus::Draft => None,
            InvoiceStatus::Open | InvoiceStatus::Uncollectible => Some(" (void it instead)"),
            InvoiceStatus::Paid | InvoiceStatus::Void => Some(""),
        };
        if let Some(instead) = instead {
            let why = format!("the invoice is {}: only a draft can be deleted{instead}", current.status.as_str());
            return Err(ApiError::InvalidTransition(why));
        }
        let deleted = invoices::soft_delete(conn, current.id).await?;
        record_change(conn, &state, deleted, Operation::Deleted).await?;
        Ok(())
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(HttpResponse::NoContent().finish())
}
