use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::{CustomerId, CustomerName, Email};
use crate::error::{Context, Error};
use crate::schema::customers;

/// A row of `customers`, tombstones included.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = customers)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = customers)]
pub struct NewCustomer<'a> {
    pub id: Uuid,
    pub name: &'a str,
    pub email: &'a str,
}

/// The fields a change may set; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = customers)]
pub struct CustomerChanges<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    id: CustomerId,
    name: &CustomerName,
    email: &Email,
) -> Result<Customer, diesel::result::Error> {
    diesel::insert_into(customers::table)
        .values(NewCustomer { id: id.as_uuid(), name: name.as_str(), email: email.as_str() })
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}

/// A live (not deleted) customer.
pub async fn find_live(conn: &mut AsyncPgConnection, id: CustomerId) -> Result<Option<Customer>, Error> {
    customers::table
        .find(id.as_uuid())
        .filter(customers::deleted_at.is_null())
        .select(Customer::as_select())
        .first(conn)
        .await
        .optional()
        .context("reading a customer")
}

/// Any customer row, tombstone or not, locked for the rest of the transaction.
pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Customer>, diesel::result::Error> {
    customers::table.find(id).select(Customer::as_select()).for_update().first(conn).await.optional()
}

/// A live customer, kept from being deleted until the transaction ends
/// (what an invoice made for it needs).
pub async fn find_live_for_share(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Customer>, diesel::result::Error> {
    customers::table.find(id).filter(customers::deleted_at.is_null()).select(Customer::as_select()).for_share().first(conn).await.optional()
}

/// Any customer row, tombstone or not.
pub async fn find_any(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Customer>, diesel::result::Error> {
    customers::table.find(id).select(Customer::as_select()).first(conn).await.optional()
}

/// Live customers in creation order, after `cursor`, optionally by exact email.
pub async fn list_live(
    conn: &mut AsyncPgConnection,
    after: Option<CustomerId>,
    email: Option<&Email>,
    limit: i64,
) -> Result<Vec<Customer>, Error> {
    let mut query = customers::table.filter(customers::deleted_at.is_null()).select(Customer::as_select()).into_boxed();
    if let Some(after) = after {
        query = query.filter(customers::id.gt(after.as_uuid()));
    }
    if let Some(email) = email {
        query = query.filter(customers::email.eq(email.as_str()));
    }
    query.order(customers::id.asc()).limit(limit).load(conn).await.context("listing customers")
}

/// Applies `changes` to a live customer and bumps its version.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &CustomerChanges<'_>) -> Result<Customer, diesel::result::Error> {
    diesel::update(customers::table.find(id))
        .set((changes, customers::version.eq(customers::version + 1), customers::updated_at.eq(diesel::dsl::now)))
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}

/// Turns a live customer into a tombstone and bumps its version.
pub async fn soft_delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Customer, diesel::result::Error> {
    diesel::update(customers::table.find(id))
        .set((
            customers::deleted_at.eq(diesel::dsl::now),
            customers::updated_at.eq(diesel::dsl::now),
            customers::version.eq(customers::version + 1),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}

/// Brings a deleted customer back with these values, as a new version (a
/// delete its integration never made: see reconcile).
pub async fn restore(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    name: &CustomerName,
    email: &Email,
) -> Result<Customer, diesel::result::Error> {
    diesel::update(customers::table.find(id))
        .set((
            customers::deleted_at.eq(None::<DateTime<Utc>>),
            customers::name.eq(name.as_str()),
            customers::email.eq(email.as_str()),
            customers::updated_at.eq(diesel::dsl::now),
            customers::version.eq(customers::version + 1),
        ))
        .returning(Customer::as_returning())
        .get_result(conn)
        .await
}

/// Every customer, tombstones included, in id order after `after`.
pub async fn page_all(conn: &mut AsyncPgConnection, after: Option<Uuid>, limit: i64) -> Result<Vec<Customer>, Error> {
    let mut query = customers::table.select(Customer::as_select()).into_boxed();
    if let Some(after) = after {
        query = query.filter(customers::id.gt(after));
    }
    query.order(customers::id.asc()).limit(limit).load(conn).await.context("reading a page of customers")
}

/// Live customers linked to a record of `integration`: (id, external id),
/// in id order after `after`.
pub async fn linked_live(
    conn: &mut AsyncPgConnection,
    integration: &str,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String)>, Error> {
    use crate::schema::sync_links;
    let live = customers::table.filter(customers::deleted_at.is_null()).select(customers::id);
    let live: crate::db::sync_links::LiveEntity = Box::new(sync_links::entity_id.eq_any(live));
    crate::db::sync_links::linked_live(conn, integration, crate::sync::CUSTOMER, live, after, limit).await
}
