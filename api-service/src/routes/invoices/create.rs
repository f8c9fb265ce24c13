//! `POST /invoices`: a new draft, once per `Idempotency-Key`.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde_json::json;
use shared_models::db::{customers, invoices};
use shared_models::domain::invoice::InvoiceId;
use shared_models::sync::Operation;

use super::input::{NewInvoice, NewInvoiceInput};
use super::{connection, record_change};
use crate::error::ApiError;
use crate::idempotency;
use crate::invoice_views::InvoiceView;
use crate::openapi::responses as errors;
use crate::state::AppState;

const IDEMPOTENCY_SCOPE: &str = "POST /invoices";

/// Creates a draft invoice for one of our customers.
///
/// The draft reaches Stripe (with `auto_advance=false`, so Stripe never
/// finalizes it by itself) once its customer is there: an invoice made
/// right after its customer waits for it, and is never lost. With an
/// `Idempotency-Key`, a retry of the same body returns the first response.
#[utoipa::path(
    operation_id = "create_invoice",
    tag = "invoices",
    params(
        ("Idempotency-Key" = Option<String>, Header, nullable = false, min_length = 1, max_length = 255, example = "invoice-2026-11-42",
            description = "Makes retries safe: a request with a key already used for the same body gets the stored response."),
    ),
    request_body(content = NewInvoiceInput, description = "`customer_id` and `currency` are required."),
    responses(
        (status = 201, description = "Created as a draft; or, for a key already used with the same body, the first response replayed.",
            body = InvoiceView,
            headers(
                ("Location" = String, description = "`/invoices/{id}` of the new invoice (not sent on a replay)."),
                ("Idempotent-Replayed" = String, description = "`true` when the body is the stored response of an earlier request."),
            )),
        (status = 400, response = errors::InvalidCreateRequest),
        (status = 413, response = errors::PayloadTooLarge),
        (status = 415, response = errors::UnsupportedMediaType),
        (status = 422, response = errors::InvoiceRejected),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[post("/invoices")]
pub async fn create(state: web::Data<AppState>, req: HttpRequest, body: web::Json<NewInvoiceInput>) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().parse()?;
    let fingerprint = fingerprint(&input);
    let request = idempotency::Request::read(&req, IDEMPOTENCY_SCOPE, &[&fingerprint])?;
    let mut conn = connection(&state).await?;

    let outcome = idempotency::once(&mut conn, &request, StatusCode::CREATED, async |conn| {
        // Shared: the customer cannot be deleted until this commits.
        if customers::find_live_for_share(conn, input.customer_id.as_uuid()).await?.is_none() {
            let message = format!("no customer with id '{}' (an invoice needs a live customer)", input.customer_id);
            return Err(ApiError::Validation { field: Some("customer_id".into()), message });
        }
        let new = invoices::NewInvoice {
            id: InvoiceId::generate().as_uuid(),
            customer_id: input.customer_id.as_uuid(),
            currency: input.currency.as_str(),
            description: input.description.as_deref(),
            collection_method: input.collection_method,
            days_until_due: input.days_until_due,
            lines: &input.lines,
            metadata: &input.metadata,
        };
        let invoice = invoices::insert(conn, &new).await?;
        record_change(conn, &state, invoice, Operation::Created).await
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(outcome
        .respond(|view: InvoiceView| HttpResponse::Created().insert_header(("Location", format!("/invoices/{}", view.id))).json(view)))
}

/// The request as parsed, without the ids given to new lines: the same body
/// sent again is the same request.
fn fingerprint(input: &NewInvoice) -> String {
    let lines: Vec<_> = input.lines.as_slice().iter().map(|l| json!([l.description, l.quantity, l.unit_amount])).collect();
    json!([
        input.customer_id,
        input.currency.as_str(),
        input.description,
        input.collection_method.as_str(),
        input.days_until_due,
        lines,
        input.metadata.entries()
    ])
    .to_string()
}
