use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;
use shared_models::db::customers::{self, Customer, CustomerChanges};
use shared_models::db::idempotency_keys::{self, NewIdempotencyKey};
use shared_models::db::{changes, sync_conflicts, sync_links, Conn};
use shared_models::domain::{CustomerId, CustomerName, Email};
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation, CUSTOMER};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::idempotency;
use crate::openapi::responses as errors;
use crate::state::AppState;
use crate::views::{CustomerPage, CustomerView};

const IDEMPOTENCY_SCOPE: &str = "POST /customers";
const DEFAULT_PAGE: i64 = 20;
const MAX_PAGE: i64 = 100;

// The body of POST, PUT and PATCH. Fields are optional here so that a
// missing one gets a message of ours; each handler says which it requires.
// Documented as PATCH takes it; POST and PUT as `CustomerFields`. (Not
// `min_properties = 1`: utoipa-gen 5.5 writes that as maxProperties.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = CustomerPatch,
    description = "The fields to change: at least one of `name`, `email`; those left out keep their values.",
    example = json!({"name": "Ada King"})
)]
pub struct CustomerInput {
    /// 1 to 256 characters once trimmed.
    #[schema(nullable = false, example = "Ada King")]
    name: Option<String>,
    /// A valid address (at most 254 characters); stored lower-cased.
    #[schema(nullable = false, example = "ada@example.com")]
    email: Option<String>,
}

// Documentation only: the body is read as `CustomerInput`, which checks
// that both fields are there (`validation_failed` naming the missing one).
/// Both fields of a customer, as POST and PUT require them.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "email": "ada@example.com"}))]
#[allow(dead_code)]
pub struct CustomerFields {
    /// 1 to 256 characters once trimmed.
    #[schema(example = "Ada Lovelace")]
    name: String,
    /// A valid address (at most 254 characters); stored lower-cased. No
    /// other live customer may have it, whatever its case.
    #[schema(example = "ada@example.com")]
    email: String,
}

struct Parsed {
    name: Option<CustomerName>,
    email: Option<Email>,
}

impl CustomerInput {
    fn parse(self, require_all: bool) -> Result<Parsed, ApiError> {
        let missing = |field: &str| ApiError::Validation { field: Some(field.into()), message: format!("{field} is required") };
        if require_all && self.name.is_none() {
            return Err(missing("name"));
        }
        if require_all && self.email.is_none() {
            return Err(missing("email"));
        }
        if self.name.is_none() && self.email.is_none() {
            return Err(ApiError::Validation { field: None, message: "give at least one of name, email".into() });
        }
        Ok(Parsed {
            name: self.name.as_deref().map(CustomerName::parse).transpose()?,
            email: self.email.as_deref().map(Email::parse).transpose()?,
        })
    }
}

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

enum Created {
    Fresh(CustomerView),
    Replayed { status: u16, body: serde_json::Value },
}

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
    let key = idempotency::key(&req)?;
    let fingerprint = idempotency::fingerprint(&[name.as_str(), email.as_str()]);
    let mut conn = connection(&state).await?;

    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if let Some(key) = &key {
                if let Some(stored) = idempotency_keys::find(conn, IDEMPOTENCY_SCOPE, key).await? {
                    return replay(stored, &fingerprint);
                }
            }
            let customer = customers::insert(conn, CustomerId::generate(), &name, &email).await.map_err(|e| email_conflict(e, &email))?;
            let view = record_change(conn, &state, customer, Operation::Created).await?;
            if let Some(key) = &key {
                let body = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
                let row = NewIdempotencyKey {
                    scope: IDEMPOTENCY_SCOPE,
                    key,
                    request_hash: &fingerprint,
                    response_status: 201,
                    response_body: &body,
                };
                idempotency_keys::insert(conn, row).await?;
            }
            Ok(Created::Fresh(view))
        })
        .await;

    let outcome = match (outcome, &key) {
        (Ok(outcome), _) => outcome,
        // A twin request with the same key may have committed first (our
        // insert then lost on a unique index): answer as it did.
        (Err(error), Some(key)) => match idempotency_keys::find(&mut conn, IDEMPOTENCY_SCOPE, key).await? {
            Some(stored) => replay(stored, &fingerprint)?,
            None => return Err(error),
        },
        (Err(error), None) => return Err(error),
    };
    state.relay_wakeup.notify_one();
    Ok(match outcome {
        Created::Fresh(view) => HttpResponse::Created().insert_header(("Location", format!("/customers/{}", view.id))).json(view),
        Created::Replayed { status, body } => {
            HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::CREATED))
                .insert_header(("Idempotent-Replayed", "true"))
                .json(body)
        }
    })
}

fn replay(stored: idempotency_keys::StoredResponse, fingerprint: &str) -> Result<Created, ApiError> {
    if stored.request_hash != fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    Ok(Created::Replayed { status: stored.response_status as u16, body: stored.response_body })
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
#[utoipa::path(
    operation_id = "delete_customer",
    tag = "customers",
    params(("id" = Uuid, Path, description = "The customer's id.")),
    responses(
        (status = 204, description = "Deleted; the deletion is queued for every integration."),
        (status = 404, response = errors::NotFound),
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
        let deleted = customers::soft_delete(conn, current.id).await?;
        record_change(conn, &state, deleted, Operation::Deleted).await?;
        Ok(())
    })
    .await?;
    state.relay_wakeup.notify_one();
    Ok(HttpResponse::NoContent().finish())
}

async fn connection(state: &AppState) -> Result<Conn, ApiError> {
    Ok(state.pool.get().await.context("checking out a connection for a request")?)
}

fn parse_id(raw: &str) -> Result<CustomerId, ApiError> {
    // A malformed id names no customer: 404, like any other unknown id.
    CustomerId::parse(raw).map_err(|_| ApiError::customer_not_found(raw))
}

async fn locked_live(conn: &mut AsyncPgConnection, id: CustomerId) -> Result<Customer, ApiError> {
    match customers::find_for_update(conn, id.as_uuid()).await? {
        Some(c) if c.deleted_at.is_none() => Ok(c),
        _ => Err(ApiError::customer_not_found(&id.to_string())),
    }
}

/// Writes the outbox message and pending links for a change, in the
/// caller's transaction, and returns the resulting view.
async fn record_change(
    conn: &mut AsyncPgConnection,
    state: &AppState,
    customer: Customer,
    op: Operation,
) -> Result<CustomerView, ApiError> {
    let entity = EntityRef::customer(customer.id);
    let recorded = changes::record(conn, &state.integrations, &entity, op, customer.version).await?;
    // Logged before the commit: a rolled-back request logs a change that
    // never was, which the missing relay line then shows.
    log::info!("customer {} {} (version {}): message {} queued", customer.id, op.as_str(), customer.version, recorded.message.message_id);
    match op {
        // A new customer has exactly the links just written and no conflict
        // yet: no need to read them back (the create's hot path).
        Operation::Created => Ok(CustomerView::new(customer, recorded.links, Vec::new())),
        _ => view_of(conn, customer).await,
    }
}

async fn view_of(conn: &mut AsyncPgConnection, customer: Customer) -> Result<CustomerView, ApiError> {
    let links = sync_links::for_entities(conn, CUSTOMER, &[customer.id]).await?.remove(&customer.id).unwrap_or_default();
    let conflicts = sync_conflicts::for_entities(conn, CUSTOMER, &[customer.id]).await?.remove(&customer.id).unwrap_or_default();
    Ok(CustomerView::new(customer, links, conflicts))
}

fn email_conflict(e: diesel::result::Error, email: &Email) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) if info.constraint_name() == Some("customers_live_email_key") => {
            ApiError::EmailTaken(email.to_string())
        }
        _ => e.into(),
    }
}
