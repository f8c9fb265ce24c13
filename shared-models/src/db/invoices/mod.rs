//! The `invoices` table: a product's invoices, tombstones of deleted
//! drafts included, and the fields mirrored from Stripe.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::invoice::{CollectionMethod, InvoiceStatus, Lines, Metadata};
use crate::error::{Context, Error};
use crate::schema::invoices;

mod outside;

pub use outside::{insert_outside, linked_live, mirror, page_all, restore, Mirrored};

/// A row of `invoices`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invoices)]
pub struct Invoice {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub currency: String,
    pub description: Option<String>,
    pub collection_method: CollectionMethod,
    pub days_until_due: Option<i32>,
    pub status: InvoiceStatus,
    pub lines: Lines,
    pub metadata: Metadata,
    #[diesel(embed)]
    pub mirrored: Mirrored,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = invoices)]
pub struct NewInvoice<'a> {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub currency: &'a str,
    pub description: Option<&'a str>,
    pub collection_method: CollectionMethod,
    pub days_until_due: Option<i32>,
    pub lines: &'a Lines,
    pub metadata: &'a Metadata,
}

/// What a change sets; `None` leaves a field as it is (`Some(None)` clears
/// a nullable one).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = invoices)]
pub struct InvoiceChanges<'a> {
    pub currency: Option<&'a str>,
    pub description: Option<Option<&'a str>>,
    pub collection_method: Option<CollectionMethod>,
    pub days_until_due: Option<Option<i32>>,
    pub status: Option<InvoiceStatus>,
    pub lines: Option<&'a Lines>,
    pub metadata: Option<&'a Metadata>,
}

impl InvoiceChanges<'_> {
    pub fn is_empty(&self) -> bool {
        self.currency.is_none()
            && self.description.is_none()
            && self.collection_method.is_none()
            && self.days_until_due.is_none()
            && self.status.is_none()
            && self.lines.is_none()
            && self.metadata.is_none()
    }
}

pub async fn insert(conn: &mut AsyncPgConnection, new: &NewInvoice<'_>) -> Result<Invoice, diesel::result::Error> {
    diesel::insert_into(invoices::table).values(new).returning(Invoice::as_returning()).get_result(conn).await
}

/// A live (not deleted) invoice.
pub async fn find_live(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Invoice>, Error> {
    invoices::table
        .find(id)
        .filter(invoices::deleted_at.is_null())
        .select(Invoice::as_select())
        .first(conn)
        .await
        .optional()
        .context("reading an invoice")
}

/// Any invoice row, tombstone or not.
pub async fn find_any(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Invoice>, diesel::result::Error> {
    invoices::table.find(id).select(Invoice::as_select()).first(conn).await.optional()
}

/// Any invoice row, locked for the rest of the transaction.
pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Invoice>, diesel::result::Error> {
    invoices::table.find(id).select(Invoice::as_select()).for_update().first(conn).await.optional()
}

/// Live invoices in creation order after `after`, optionally of one
/// customer and in one status.
pub async fn list_live(
    conn: &mut AsyncPgConnection,
    after: Option<Uuid>,
    customer: Option<Uuid>,
    status: Option<InvoiceStatus>,
    limit: i64,
) -> Result<Vec<Invoice>, Error> {
    let mut query = invoices::table.filter(invoices::deleted_at.is_null()).select(Invoice::as_select()).into_boxed();
    if let Some(after) = after {
        query = query.filter(invoices::id.gt(after));
    }
    if let Some(customer) = customer {
        query = query.filter(invoices::customer_id.eq(customer));
    }
    if let Some(status) = status {
        query = query.filter(invoices::status.eq(status));
    }
    query.order(invoices::id.asc()).limit(limit).load(conn).await.context("listing invoices")
}

/// How many of the customer's live invoices are drafts or open.
pub async fn count_unsettled(conn: &mut AsyncPgConnection, customer: Uuid) -> Result<i64, diesel::result::Error> {
    invoices::table
        .filter(invoices::customer_id.eq(customer))
        .filter(invoices::deleted_at.is_null())
        .filter(invoices::status.eq_any([InvoiceStatus::Draft, InvoiceStatus::Open]))
        .count()
        .get_result(conn)
        .await
}

/// Applies `changes` and bumps the version.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &InvoiceChanges<'_>) -> Result<Invoice, diesel::result::Error> {
    diesel::update(invoices::table.find(id))
        .set((changes, invoices::version.eq(invoices::version + 1), invoices::updated_at.eq(diesel::dsl::now)))
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await
}

/// Turns a live draft into a tombstone and bumps its version.
pub async fn soft_delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Invoice, diesel::result::Error> {
    diesel::update(invoices::table.find(id))
        .set((
            invoices::deleted_at.eq(diesel::dsl::now),
            invoices::updated_at.eq(diesel::dsl::now),
            invoices::version.eq(invoices::version + 1),
        ))
        .returning(Invoice::as_returning())
        .get_result(conn)
        .await
}
