use std::future::Future;

use diesel_async::AsyncPgConnection;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use shared_models::db::{changes, customers};
use shared_models::sync::{customer_fingerprint, EntityRef, Operation, CUSTOMER};
use uuid::Uuid;

/// The current state of a catalog entity as the worker pushes it.
#[derive(Debug, Clone)]
pub struct Snapshot<R> {
    pub version: i64,
    pub deleted: bool,
    pub record: R,
}

/// A catalog the worker can sync: where its entities live and how an
/// outside copy of one is recognised without a stored link.
pub trait Catalog: Send + Sync + 'static {
    /// Serializable: the record a write sends is journaled before it goes
    /// out, and a resend is built from the journal.
    type Record: Send + Sync + Clone + Serialize + DeserializeOwned + 'static;
    const ENTITY_TYPE: &'static str;

    fn load(
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> impl Future<Output = Result<Option<Snapshot<Self::Record>>, diesel::result::Error>> + Send;

    /// What to search the outside system by when the link is missing.
    fn lookup_key(record: &Self::Record) -> String;

    /// The synced fields of the record, fingerprinted: stored with each
    /// write so that the write's echo from the outside is recognised.
    fn fingerprint(record: &Self::Record) -> String;

    /// The entity was deleted in an integration (a write found it gone):
    /// deletes it here too, with a change for every other integration. A
    /// delete on either side beats any edit. Returns the deleted version,
    /// or `None` when there was nothing live to delete.
    fn apply_outside_delete(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        integrations: &[String],
    ) -> impl Future<Output = Result<Option<i64>, diesel::result::Error>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: Uuid,
    /// Written to the outside record with it: an outside event then tells
    /// which of our writes it came after.
    pub version: i64,
    pub name: String,
    pub email: String,
}

/// The customer catalog.
pub struct Customers;

impl Catalog for Customers {
    type Record = CustomerRecord;
    const ENTITY_TYPE: &'static str = CUSTOMER;

    async fn load(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Snapshot<CustomerRecord>>, diesel::result::Error> {
        Ok(customers::find_any(conn, id).await?.map(|c| Snapshot {
            version: c.version,
            deleted: c.deleted_at.is_some(),
            record: CustomerRecord { id: c.id, version: c.version, name: c.name, email: c.email },
        }))
    }

    fn lookup_key(record: &CustomerRecord) -> String {
        record.email.clone()
    }

    fn fingerprint(record: &CustomerRecord) -> String {
        customer_fingerprint(&record.name, &record.email)
    }

    async fn apply_outside_delete(
        conn: &mut AsyncPgConnection,
        id: Uuid,
        integrations: &[String],
    ) -> Result<Option<i64>, diesel::result::Error> {
        match customers::find_for_update(conn, id).await? {
            Some(live) if live.deleted_at.is_none() => {
                let deleted = customers::soft_delete(conn, id).await?;
                changes::record(conn, integrations, &EntityRef::customer(id), Operation::Deleted, deleted.version).await?;
                Ok(Some(deleted.version))
            }
            _ => Ok(None),
        }
    }
}
