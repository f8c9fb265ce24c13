//! The invoice catalog's endpoints: `create` (a draft, once per
//! `Idempotency-Key`), `read`, `write` (edit, delete a draft) and
//! `commands` (finalize, pay, void, mark uncollectible); `input` is the
//! bodies they take. This module holds what they share.

pub mod commands;
pub mod create;
mod input;
pub mod read;
pub mod write;

use diesel_async::AsyncPgConnection;
use shared_models::db::invoices::{self, Invoice};
use shared_models::db::{changes, sync_conflicts, sync_links, Conn};
use shared_models::domain::invoice::InvoiceId;
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation, INVOICE};

use crate::error::ApiError;
use crate::invoice_views::InvoiceView;
use crate::state::AppState;

async fn connection(state: &AppState) -> Result<Conn, ApiError> {
    Ok(state.pool.get().await.context("checking out a connection for a request")?)
}

fn parse_id(raw: &str) -> Result<InvoiceId, ApiError> {
    // A malformed id names no invoice: 404, like any other unknown id.
    InvoiceId::parse(raw).map_err(|_| ApiError::invoice_not_found(raw))
}

async fn locked_live(conn: &mut AsyncPgConnection, id: InvoiceId) -> Result<Invoice, ApiError> {
    match invoices::find_for_update(conn, id.as_uuid()).await? {
        Some(invoice) if invoice.deleted_at.is_none() => Ok(invoice),
        _ => Err(ApiError::invoice_not_found(&id.to_string())),
    }
}

/// Writes the outbox message and pending links of a change, in the
/// caller's transaction, and returns the resulting view.
async fn record_change(conn: &mut AsyncPgConnection, state: &AppState, invoice: Invoice, op: Operation) -> Result<InvoiceView, ApiError> {
    let entity = EntityRef::invoice(invoice.id);
    let integrations = state.registry.integrations_of(INVOICE);
    let recorded = changes::record(conn, &integrations, &entity, op, invoice.version).await?;
    log::info!("invoice {} {} (version {}): message {} queued", invoice.id, op.as_str(), invoice.version, recorded.message.message_id);
    match op {
        Operation::Created => Ok(InvoiceView::new(invoice, recorded.links, &[])),
        _ => view_of(conn, invoice).await,
    }
}

async fn view_of(conn: &mut AsyncPgConnection, invoice: Invoice) -> Result<InvoiceView, ApiError> {
    let links = sync_links::for_entities(conn, INVOICE, &[invoice.id]).await?.remove(&invoice.id).unwrap_or_default();
    let conflicts = sync_conflicts::for_entities(conn, INVOICE, &[invoice.id]).await?.remove(&invoice.id).unwrap_or_default();
    Ok(InvoiceView::new(invoice, links, &conflicts))
}
