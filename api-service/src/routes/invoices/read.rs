//! `GET /invoices/{id}` and `GET /invoices`.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared_models::db::{invoices, sync_conflicts, sync_links};
use shared_models::domain::invoice::{InvoiceId, InvoiceStatus};
use shared_models::domain::CustomerId;
use shared_models::sync::INVOICE;
use utoipa::IntoParams;

use super::{connection, parse_id, view_of};
use crate::error::ApiError;
use crate::invoice_views::{InvoicePage, InvoiceView};
use crate::openapi::responses as errors;
use crate::state::AppState;

const DEFAULT_PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1 to 100.
    #[param(nullable = false, minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// An invoice id: the page starts after it. Pass the previous page's
    /// `next_cursor`.
    #[param(nullable = false, format = Uuid)]
    starting_after: Option<String>,
    /// Only this customer's invoices.
    #[param(nullable = false, format = Uuid)]
    customer_id: Option<String>,
    /// Only invoices in this status.
    #[param(nullable = false, value_type = Option<InvoiceStatus>)]
    status: Option<String>,
}

/// A live invoice (a deleted draft is gone).
#[utoipa::path(
    operation_id = "get_invoice",
    tag = "invoices",
    params(("id" = Uuid, Path, description = "The invoice's id. A malformed one is `not_found` like an unknown one.")),
    responses(
        (status = 200, description = "The invoice.", body = InvoiceView),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/invoices/{id}")]
pub async fn get(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let mut conn = connection(&state).await?;
    let invoice = invoices::find_live(&mut conn, id.as_uuid()).await?.ok_or_else(|| ApiError::invoice_not_found(&id.to_string()))?;
    Ok(HttpResponse::Ok().json(view_of(&mut conn, invoice).await?))
}

/// Live invoices, oldest first, a page at a time; of one customer, in one
/// status.
#[utoipa::path(
    operation_id = "list_invoices",
    tag = "invoices",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of invoices.", body = InvoicePage),
        (status = 400, response = errors::InvalidQuery),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/invoices")]
pub async fn list(state: web::Data<AppState>, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let invalid = |name: &str, raw: &str, what: &str| ApiError::InvalidQuery(format!("{name} '{raw}' is not {what}"));
    let after = query
        .starting_after
        .as_deref()
        .map(|raw| InvoiceId::parse(raw).map_err(|_| invalid("starting_after", raw, "an invoice id")))
        .transpose()?;
    let customer = query
        .customer_id
        .as_deref()
        .map(|raw| CustomerId::parse(raw).map_err(|_| invalid("customer_id", raw, "a customer id")))
        .transpose()?;
    let status = query
        .status
        .as_deref()
        .map(|raw| raw.parse::<InvoiceStatus>().map_err(|_| invalid("status", raw, "draft, open, paid, uncollectible or void")))
        .transpose()?;

    let mut conn = connection(&state).await?;
    let mut rows = invoices::list_live(&mut conn, after.map(|a| a.as_uuid()), customer.map(|c| c.as_uuid()), status, limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<_> = rows.iter().map(|i| i.id).collect();
    let mut links = sync_links::for_entities(&mut conn, INVOICE, &ids).await?;
    let mut conflicts = sync_conflicts::for_entities(&mut conn, INVOICE, &ids).await?;
    let data: Vec<InvoiceView> = rows
        .into_iter()
        .map(|i| {
            let l = links.remove(&i.id).unwrap_or_default();
            let k = conflicts.remove(&i.id).unwrap_or_default();
            InvoiceView::new(i, l, &k)
        })
        .collect();
    let next_cursor = if has_more { data.last().map(|i| i.id) } else { None };
    Ok(HttpResponse::Ok().json(InvoicePage { data, has_more, next_cursor }))
}
