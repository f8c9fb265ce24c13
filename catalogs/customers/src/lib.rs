//! The customer catalog as the sync core sees it: its record as written to
//! an integration, how it is loaded and fingerprinted, and how a delete
//! found outside is applied to it (here); how changes from outside are
//! checked and written (`inward`).

mod inward;

pub use inward::RemoteCustomer;

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use shared_models::db::{changes, customers};
use shared_models::sync::{customer_fingerprint, EntityRef, Operation, CUSTOMER};
use sync_core::{Catalog, Snapshot};
use uuid::Uuid;

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
            updated_at: c.updated_at,
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
