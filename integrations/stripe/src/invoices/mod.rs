//! Stripe's invoices as the invoice catalog's integration. One local state
//! becomes several calls (the draft, its lines, then each status step), so
//! every write converges: it reads what Stripe holds and sends only what
//! differs, each call under its own idempotency key derived from the
//! journaled write's (`{key}:draft`, `{key}:line:{line id}`,
//! `{key}:finalize`...). A worker killed between two steps resumes from
//! what Stripe holds, and a step that had landed is answered from its key:
//! no line or invoice is doubled.

mod converge;
mod source;
pub mod wire;

pub use source::StripeInvoiceSource;

use std::time::Duration;

use invoice_catalog::InvoiceRecord;
use reqwest::Method;
use serde::de::DeserializeOwned;
use sync_core::{Connector, Precondition, SharedRateLimit, SyncError};
use uuid::Uuid;

use crate::{StripeCallError, StripeHttp};
use wire::{metadata_form, RemoteInvoice, INVOICE_ID_KEY};

/// Stripe's invoices, behind the rate limit the customer workers share.
pub struct StripeInvoices {
    client: StripeHttp,
    limiter: Option<SharedRateLimit>,
}

/// A list page of invoices.
#[derive(serde::Deserialize)]
struct Page<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

impl StripeInvoices {
    pub fn new(api_base: &str, secret_key: &str, timeout: Duration, limiter: Option<SharedRateLimit>) -> Result<Self, SyncError> {
        let client = StripeHttp::new(api_base, secret_key, timeout)
            .map_err(|e| SyncError::Permanent { message: format!("cannot build the Stripe client: {e}") })?;
        Ok(Self { client, limiter })
    }

    /// One call under the rate limit: the outer error is the limiter's, the
    /// inner one Stripe's answer, for a caller that tells a 404 apart.
    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(String, String)],
        key: Option<&str>,
    ) -> Result<Result<T, StripeCallError>, SyncError> {
        if let Some(limiter) = &self.limiter {
            limiter.acquire().await?;
        }
        Ok(self.client.call(method, path, form, key).await)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        form: &[(String, String)],
        key: Option<&str>,
    ) -> Result<T, SyncError> {
        Ok(self.send(method, path, form, key).await??)
    }

    /// The invoice, or `None` when Stripe says it was deleted (a retrieve of
    /// a deleted draft answers `deleted: true`). A 404 also answers another
    /// account or mode: `SyncError::Missing`, never a delete.
    async fn fetch(&self, id: &str) -> Result<Option<RemoteInvoice>, SyncError> {
        if !is_stripe_id(id) {
            // Never put into a path: no Stripe id looks like this.
            return Err(SyncError::Permanent { message: format!("'{id}' is not a Stripe invoice id") });
        }
        match self.send::<RemoteInvoice>(Method::GET, &format!("/invoices/{id}"), &[], None).await? {
            Ok(invoice) if invoice.deleted == Some(true) => Ok(None),
            Ok(invoice) => Ok(Some(invoice)),
            Err(e) if e.is_not_found() => Err(SyncError::Missing {
                message: format!(
                    "Stripe has no invoice {id} in this account and does not say it was deleted \
                     (another account or mode?): nothing is deleted here"
                ),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The customer's invoice that carries our id, by an exact list (not
    /// search, which is eventually consistent).
    async fn find_ours(&self, customer: &str, our_id: Uuid) -> Result<Option<RemoteInvoice>, SyncError> {
        let ours = our_id.to_string();
        let mut after: Option<String> = None;
        loop {
            let mut query = vec![("customer".to_owned(), customer.to_owned()), ("limit".to_owned(), "100".to_owned())];
            query.extend(after.take().map(|a| ("starting_after".to_owned(), a)));
            let page: Page<RemoteInvoice> = self.call(Method::GET, "/invoices", &query, None).await?;
            if let Some(found) = page.data.iter().find(|i| i.metadata(INVOICE_ID_KEY) == Some(ours.as_str())) {
                return Ok(Some(found.clone()));
            }
            match page.data.last() {
                Some(last) if page.has_more => after = Some(last.id.clone()),
                _ => return Ok(None),
            }
        }
    }

    /// A new draft holding every field of the record (its lines follow).
    /// Never finalized by Stripe on its own: the sync decides when.
    async fn create_draft(&self, customer: &str, record: &InvoiceRecord, key: &str) -> Result<RemoteInvoice, SyncError> {
        let mut form = vec![
            ("customer".to_owned(), customer.to_owned()),
            ("auto_advance".to_owned(), "false".to_owned()),
            ("currency".to_owned(), record.currency.clone()),
            ("collection_method".to_owned(), record.collection_method.as_str().to_owned()),
            ("pending_invoice_items_behavior".to_owned(), "exclude".to_owned()),
        ];
        form.extend(record.days_until_due.map(|d| ("days_until_due".to_owned(), d.to_string())));
        form.extend(record.description.clone().map(|d| ("description".to_owned(), d)));
        form.extend(metadata_form(record, None));
        let invoice: RemoteInvoice = self.call(Method::POST, "/invoices", &form, Some(&format!("{key}:draft"))).await?;
        log::info!("invoice {} created in Stripe as {} (draft)", record.id, invoice.id);
        Ok(invoice)
    }
}

/// Stripe's ids are letters, digits and `_`.
fn is_stripe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Connector<InvoiceRecord> for StripeInvoices {
    fn integration(&self) -> &'static str {
        "stripe"
    }

    fn create_resumes(&self) -> bool {
        true
    }

    async fn find(&self, our_id: Uuid, lookup_keys: &[String]) -> Result<Option<String>, SyncError> {
        for customer in lookup_keys.iter().filter(|k| !k.is_empty()) {
            if let Some(found) = self.find_ours(customer, our_id).await? {
                return Ok(Some(found.id));
            }
        }
        Ok(None)
    }

    /// Finds a draft an earlier, interrupted send made before making one.
    async fn create(&self, record: &InvoiceRecord, key: &str) -> Result<String, SyncError> {
        let Some(customer) = record.customer_external_id.as_deref() else {
            return Err(SyncError::Permanent { message: format!("invoice {} names no Stripe customer", record.id) });
        };
        let invoice = match self.find_ours(customer, record.id).await? {
            Some(found) => found,
            None => self.create_draft(customer, record, key).await?,
        };
        let id = invoice.id.clone();
        self.converge(invoice, record, key).await?;
        Ok(id)
    }

    /// Stripe has no conditional update: the write converges as it is.
    async fn update(
        &self,
        external_id: &str,
        record: &InvoiceRecord,
        key: &str,
        _precondition: Option<&Precondition>,
    ) -> Result<(), SyncError> {
        let Some(invoice) = self.fetch(external_id).await? else {
            return Err(SyncError::Gone { message: format!("Stripe invoice {external_id} no longer exists") });
        };
        self.converge(invoice, record, key).await
    }

    /// Only a draft can be deleted here. One finalized in Stripe meanwhile
    /// is voided (Stripe's delete of a finalized invoice), one paid or void
    /// already is left as it is.
    async fn delete(&self, external_id: &str, key: &str) -> Result<(), SyncError> {
        let Some(invoice) = self.fetch(external_id).await? else { return Ok(()) };
        let path = format!("/invoices/{external_id}");
        match invoice.status() {
            "draft" => match self.send::<serde_json::Value>(Method::DELETE, &path, &[], Some(key)).await? {
                Err(e) if !e.is_not_found() => Err(e.into()),
                _ => Ok(()),
            },
            "open" | "uncollectible" => {
                self.call::<RemoteInvoice>(Method::POST, &format!("{path}/void"), &[], Some(&format!("{key}:void"))).await.map(drop)
            }
            status => {
                log::warn!("Stripe invoice {external_id} is {status}: a local delete leaves it as it is");
                Ok(())
            }
        }
    }
}
