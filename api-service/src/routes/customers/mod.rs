//! The customer catalog's endpoints, by what they do: `create` (once per
//! `Idempotency-Key`), `read` and `write`; `input` is the bodies they take.
//! This module holds what they share: the connection, the id in the path,
//! and the change recorded with every write.

pub mod create;
mod input;
pub mod read;
pub mod write;

use diesel_async::AsyncPgConnection;
use shared_models::db::customers::{self, Customer};
use shared_models::db::{changes, sync_conflicts, sync_links, Conn};
use shared_models::domain::{CustomerId, Email};
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation, CUSTOMER};

use crate::error::ApiError;
use crate::state::AppState;
use crate::views::CustomerView;

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
