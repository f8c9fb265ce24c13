//! The invoice catalog taking changes from outside: an outside invoice is
//! taken in when its customer is linked here (otherwise it is a visible
//! conflict that blocks nothing), its status and fields by the same rules
//! as a customer's, and its number and totals mirrored without a version.

use diesel_async::AsyncPgConnection;
use shared_models::db::invoices::{self, Invoice, InvoiceChanges, NewInvoice};
use shared_models::db::sync_links;
use shared_models::sync::CUSTOMER;
use sync_core::inward::{InwardCatalog, Local, Version};
use sync_core::SyncError;
use uuid::Uuid;

use crate::outside::{Accepted, OutsideInvoice};
use crate::{InvoiceRecord, Invoices};

fn local(invoice: Invoice) -> Option<Local<InvoiceRecord>> {
    let (id, deleted, updated_at) = (invoice.id, invoice.deleted_at.is_some(), invoice.updated_at);
    let record = crate::record(invoice);
    Some(Local { id, version: record.version, deleted, updated_at, record })
}

fn changes(accepted: &Accepted) -> InvoiceChanges<'_> {
    InvoiceChanges {
        currency: Some(accepted.currency.as_str()),
        description: Some(accepted.description.as_deref()),
        collection_method: Some(accepted.collection_method),
        days_until_due: Some(accepted.days_until_due),
        status: Some(accepted.status),
        lines: Some(&accepted.lines),
        metadata: Some(&accepted.metadata),
    }
}

impl InwardCatalog for Invoices {
    type Remote = OutsideInvoice;
    type Accepted = Accepted;
    const NOUN: &'static str = "invoice";
    /// Invoices share no unique key: only our id (in the metadata) links one.
    const KEY: &'static str = "id";

    async fn resolve(conn: &mut AsyncPgConnection, integration: &str, remote: &mut OutsideInvoice) -> Result<(), SyncError> {
        if let Some(customer) = remote.customer_external_id.as_deref() {
            let link = sync_links::find_by_external(conn, integration, CUSTOMER, customer).await?;
            remote.customer_id = link.map(|l| l.entity_id);
        }
        Ok(())
    }

    async fn mirror(conn: &mut AsyncPgConnection, id: Uuid, remote: &OutsideInvoice) -> Result<(), SyncError> {
        Ok(invoices::mirror(conn, id, &remote.mirrored).await?)
    }

    async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Option<Local<InvoiceRecord>>, SyncError> {
        Ok(invoices::find_for_update(conn, id).await?.and_then(local))
    }

    fn accept(remote: &OutsideInvoice) -> Result<Accepted, String> {
        remote.accept()
    }

    fn holds(remote: &OutsideInvoice, local: &InvoiceRecord) -> bool {
        remote.accept().is_ok_and(|accepted| accepted.agrees(local))
    }

    fn agrees(accepted: &Accepted, local: &InvoiceRecord) -> bool {
        accepted.agrees(local)
    }

    fn remote_fingerprint(remote: &OutsideInvoice) -> Option<String> {
        remote.fingerprint()
    }

    async fn owner(_conn: &mut AsyncPgConnection, _accepted: &Accepted, _except: Option<Uuid>) -> Result<Option<Uuid>, SyncError> {
        Ok(None)
    }

    fn owned_problem(_accepted: &Accepted, owner: Uuid) -> String {
        format!("invoice {owner} holds it already")
    }

    async fn insert(conn: &mut AsyncPgConnection, id: Option<Uuid>, accepted: &Accepted) -> Result<(Uuid, i64), SyncError> {
        let new = NewInvoice {
            id: id.unwrap_or_else(Uuid::now_v7),
            customer_id: accepted.customer_id,
            currency: accepted.currency.as_str(),
            description: accepted.description.as_deref(),
            collection_method: accepted.collection_method,
            days_until_due: accepted.days_until_due,
            lines: &accepted.lines,
            metadata: &accepted.metadata,
        };
        let invoice = invoices::insert_outside(conn, &new, accepted.status, &accepted.mirrored).await?;
        Ok((invoice.id, invoice.version))
    }

    async fn update(conn: &mut AsyncPgConnection, local: &Local<InvoiceRecord>, accepted: &Accepted) -> Result<i64, SyncError> {
        let version = invoices::update(conn, local.id, &changes(accepted)).await?.version;
        invoices::mirror(conn, local.id, &accepted.mirrored).await?;
        Ok(version)
    }

    async fn restore(conn: &mut AsyncPgConnection, id: Uuid, accepted: &Accepted) -> Result<i64, SyncError> {
        let version = invoices::restore(conn, id, &changes(accepted)).await?.version;
        invoices::mirror(conn, id, &accepted.mirrored).await?;
        Ok(version)
    }

    async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> Result<i64, SyncError> {
        Ok(invoices::soft_delete(conn, id).await?.version)
    }

    async fn linked_live(
        conn: &mut AsyncPgConnection,
        integration: &str,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<(Uuid, String)>, SyncError> {
        Ok(invoices::linked_live(conn, integration, after, limit).await?)
    }

    async fn page(conn: &mut AsyncPgConnection, after: Option<Uuid>, limit: i64) -> Result<Vec<Version>, SyncError> {
        let page = invoices::page_all(conn, after, limit).await?;
        Ok(page.into_iter().map(|i| Version { id: i.id, version: i.version, deleted: i.deleted_at.is_some() }).collect())
    }
}
