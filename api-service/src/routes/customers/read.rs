//! `GET /customers/{id}` and `GET /customers`.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use shared_models::db::{customers, sync_conflicts, sync_links};
use shared_models::domain::{CustomerId, Email};
use shared_models::sync::CUSTOMER;
use utoipa::IntoParams;

use super::{connection, parse_id, view_of};
use crate::error::ApiError;
use crate::openapi::responses as errors;
use crate::state::AppState;
use crate::views::{CustomerPage, CustomerView};

const DEFAULT_PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1 to 100.
    #[param(nullable = false, minimum = 1, maximum = 100, default = 20)]
    limit: Option<i64>,
    /// A customer id: the page starts after it. Pass the previous page's
    /// `next_cursor`.
    #[param(nullable = false, format = Uuid)]
    starting_after: Option<String>,
    /// Only the customer with this email (any case).
    #[param(nullable = false, example = "ada@example.com")]
    email: Option<String>,
}

/// A live customer.
#[utoipa::path(
    operation_id = "get_customer",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id. A malformed one is `not_found` like an unknown one.")),
    responses(
        (status = 200, description = "The customer.", body = CustomerView),
        (status = 404, response = errors::NotFound),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/customers/{id}")]
pub async fn get(state: web::Data<AppState>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let mut conn = connection(&state).await?;
    let customer = customers::find_live(&mut conn, id).await?.ok_or_else(|| ApiError::customer_not_found(&id.to_string()))?;
    Ok(HttpResponse::Ok().json(view_of(&mut conn, customer).await?))
}

/// Live customers, oldest first, a page at a time.
#[utoipa::path(
    operation_id = "list_customers",
    tag = "customers",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of customers.", body = CustomerPage),
        (status = 400, response = errors::InvalidQuery),
        (status = 422, response = errors::ValidationFailed),
        (status = 500, response = errors::InternalError),
        (status = 503, response = errors::Unavailable),
    )
)]
#[get("/customers")]
pub async fn list(state: web::Data<AppState>, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::InvalidQuery(format!("limit must be between 1 and {MAX_PAGE}")));
    }
    let after = query
        .starting_after
        .as_deref()
        .map(|raw| CustomerId::parse(raw).map_err(|_| ApiError::InvalidQuery(format!("starting_after '{raw}' is not a customer id"))))
        .transpose()?;
    let email = query.email.as_deref().map(Email::parse).transpose()?;

    let mut conn = connection(&state).await?;
    let mut rows = customers::list_live(&mut conn, after, email.as_ref(), limit + 1).await?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let ids: Vec<_> = rows.iter().map(|c| c.id).collect();
    let mut links = sync_links::for_entities(&mut conn, CUSTOMER, &ids).await?;
    let mut conflicts = sync_conflicts::for_entities(&mut conn, CUSTOMER, &ids).await?;
    let data: Vec<CustomerView> = rows
        .into_iter()
        .map(|c| {
            let l = links.remove(&c.id).unwrap_or_default();
            let k = conflicts.remove(&c.id).unwrap_or_default();
            CustomerView::new(c, l, k)
        })
        .collect();
    let next_cursor = if has_more { data.last().map(|c| c.id) } else { None };
    Ok(HttpResponse::Ok().json(CustomerPage { data, has_more, next_cursor }))
}
