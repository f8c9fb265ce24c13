//! The customer catalog taking changes from outside: what an outside
//! customer must hold to be taken in (a name and an email the API would
//! accept), and how it is written here.

use diesel_async::AsyncPgConnection;
use shared_models::db::customers::{self, Customer, CustomerChanges};
use shared_models::domain::{CustomerId, CustomerName, Email};
use sync_core::inward::{InwardCatalog, Local, Version};
use sync_core::SyncError;
use uuid::Uuid;

use crate::{CustomerRecord, Customers};

/// A customer's synced fields as an integration holds them, unchecked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteCustomer {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// Those fields as the catalog accepts them.
pub struct Accepted {
    name: CustomerName,
    email: Email,
}

fn local(customer: Customer) -> Local<CustomerRecord> {
    Local {
        id: customer.id,
        version: customer.version,
        deleted: customer.deleted_at.is_some(),
        updated_at: customer.updated_at,
        record: CustomerRecord { id: customer.id, version: customer.version, name: customer.name, email: customer.email },
    }
}

impl InwardCatalog for Customers {
    type Remote = RemoteCustomer;
    type Accepted = Accepted;
    const NOUN: &'static str = "customer";
    const KEY: &'static str = "email";

    async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Local<CustomerRecord>>, SyncError> {
        Ok(customers::find_for_update(conn, id).await?.map(local))
    }

    fn accept(remote: &RemoteCustomer) -> Result<Accepted, String> {
        let email = match remote.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => Email::parse(raw).map_err(|e| e.to_string())?,
            None => return Err("the outside customer has no email, which every customer here needs".into()),
        };
        let name = match remote.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(raw) => CustomerName::parse(raw).map_err(|e| e.to_string())?,
            None => return Err("the outside customer has no name, which every customer here needs".into()),
        };
        Ok(Accepted { name, email })
    }

    fn holds(remote: &RemoteCustomer, local: &CustomerRecord) -> bool {
        remote.name.as_deref() == Some(local.name.as_str()) && remote.email.as_deref() == Some(local.email.as_str())
    }

    fn agrees(accepted: &Accepted, local: &CustomerRecord) -> bool {
        accepted.name.as_str() == local.name && accepted.email.as_str() == local.email
    }

    fn remote_fingerprint(remote: &RemoteCustomer) -> Option<String> {
        Some(shared_models::sync::customer_fingerprint(remote.name.as_deref()?, remote.email.as_deref()?))
    }

    async fn owner(conn: &mut AsyncPgConnection, accepted: &Accepted, except: Option<Uuid>) -> Result<Option<Uuid>, SyncError> {
        let owners = customers::list_live(conn, None, Some(&accepted.email), 2).await?;
        Ok(owners.into_iter().map(|c| c.id).find(|id| Some(*id) != except))
    }

    fn owned_problem(accepted: &Accepted, owner: Uuid) -> String {
        format!("email {} is already used by customer {owner}", accepted.email.as_str())
    }

    async fn insert(conn: &mut AsyncPgConnection, id: Option<Uuid>, accepted: &Accepted) -> Result<(Uuid, i64), SyncError> {
        let id = id.map(CustomerId::from).unwrap_or_else(CustomerId::generate);
        let customer = customers::insert(conn, id, &accepted.name, &accepted.email).await?;
        Ok((customer.id, customer.version))
    }

    async fn update(conn: &mut AsyncPgConnection, local: &Local<CustomerRecord>, accepted: &Accepted) -> Result<i64, SyncError> {
        let changes = CustomerChanges {
            name: Some(accepted.name.as_str()).filter(|n| *n != local.record.name),
            email: Some(accepted.email.as_str()).filter(|e| *e != local.record.email),
        };
        Ok(customers::update(conn, local.id, &changes).await?.version)
    }

    async fn restore(conn: &mut AsyncPgConnection, id: Uuid, accepted: &Accepted) -> Result<i64, SyncError> {
        Ok(customers::restore(conn, id, &accepted.name, &accepted.email).await?.version)
    }

    async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<i64, SyncError> {
        Ok(customers::soft_delete(conn, id).await?.version)
    }

    async fn linked_live(
        conn: &mut AsyncPgConnection,
        integration: &str,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<(Uuid, String)>, SyncError> {
        Ok(customers::linked_live(conn, integration, after, limit).await?)
    }

    async fn page(conn: &mut AsyncPgConnection, after: Option<Uuid>, limit: i64) -> Result<Vec<Version>, SyncError> {
        let page = customers::page_all(conn, after, limit).await?;
        Ok(page.into_iter().map(|c| Version { id: c.id, version: c.version, deleted: c.deleted_at.is_some() }).collect())
    }
}
