//! The customer catalog as the sync core sees it: its record as written to
//! an integration, how it is loaded and fingerprinted, and how a delete
//! found outside is applied to it (here); how changes from outside are
//! checked and written (`inward`).

mod inward;

pub use inward::RemoteCustomer;

use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use shared_models::db::customers;
use shared_models::sync::{customer_fingerprint, CUSTOMER};
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
}
