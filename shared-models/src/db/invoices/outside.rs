//! The invoice writes and reads of the sync: invoices taken in from an
//! integration (with any status), the fields mirrored from it, and the
//! pages reconcile walks.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{Invoice, InvoiceChanges, NewInvoice};
use crate::domain::invoice::InvoiceStatus;
use crate::error::{Context, Error};
use crate::schema::invoices;

/// What Stripe computes and the catalog mirrors read-only: set as the
/// integration reports them, without a new version (they are not ours to
/// send anywhere).
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset, Insertable, Queryable, Selectable)]
#[diesel(table_name = invoices, treat_none_as_null = true)]
pub struct Mirrored {
    pub number: Option<String>,
    pub total: Option<i64>,
    pub amount_due: Option<i64>,
    pub amount_paid: Option<i64>,
    pub amount_remaining: Option<i64>,
    pub hosted_invoice_url: Option<String>,
}

/// A new invoice as an integration holds it, in its status there.
pub async fn insert_outside(
    conn: &mut AsyncPgConnection,
    new: &NewInvoice<'_>,
    status: InvoiceStatus,
    mirrored: &Mirrored,
) -> Result<Invoice, diesel::result::Error> {
    diesel::insert_into(invoices::table)
        .values((new, invoices::status.eq(status), mirrored))
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await
}

/// The mirrored fields as the integration reports them; no new version.
pub async fn mirror(conn: &mut AsyncPgConnection, id: Uuid, mirrored: &Mirrored) -> Result<(), diesel::result::Error> {
    diesel::update(invoices::table.find(id)).set(mirrored).execute(conn).await.map(drop)
}

/// A deleted invoice brought back with `changes` and a new version.
pub async fn restore(conn: &mut AsyncPgConnection, id: Uuid, changes: &InvoiceChanges<'_>) -> Result<Invoice, diesel::result::Error> {
    diesel::update(invoices::table.find(id))
        .set((
            changes,
            invoices::deleted_at.eq(None::<DateTime<Utc>>),
            invoices::version.eq(invoices::version + 1),
            invoices::updated_at.eq(diesel::dsl::now),
        ))
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await
}

/// Every invoice, tombstones included, in id order after `after`.
pub async fn page_all(conn: &mut AsyncPgConnection, after: Option<Uuid>, limit: i64) -> Result<Vec<Invoice>, Error> {
    let mut query = invoices::table.select(Invoice::as_select()).into_boxed();
    if let Some(after) = after {
        query = query.filter(invoices::id.gt(after));
    }
    query.order(invoices::id.asc()).limit(limit).load(conn).await.context("reading a page of invoices")
}

/// Live invoices linked to a record of `integration`: (id, external id),
/// in id order after `after`.
pub async fn linked_live(
    conn: &mut AsyncPgConnection,
    integration: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, Error> {
    use crate::schema::sync_links;
    let live = invoices::table.filter(invoices::deleted_at.is_null()).select(invoices::id);
    let live: crate::db::sync_links::LiveEntity = Box::new(sync_links::entity_id.eq_any(live));
    crate::db::sync_links::linked_live(conn, integration, crate::sync::INVOICE, live, after, limit).await
}
