use std::collections::HashMap;
use std::time::Duration;

use stripe_client_core::{IdempotencyKey, RequestStrategy, StripeRequest};
use stripe_core::customer::{CreateCustomer, DeleteCustomer, ListCustomer, UpdateCustomer};
use uuid::Uuid;

use crate::StripeHttp;
use customer_catalog::CustomerRecord;
use sync_core::SharedRateLimit;
use sync_core::{Connector, Precondition, SyncError};

/// Metadata key holding our customer id on the Stripe customer.
pub const METADATA_KEY: &str = "catalog_sync_id";
/// Metadata key holding the version of our customer that we last wrote.
pub const VERSION_METADATA_KEY: &str = "catalog_sync_version";

/// Stripe's customer catalog, behind a client-side rate limit so that bursts
/// queue up here instead of tripping Stripe's limiter.
pub struct StripeCustomers {
    client: StripeHttp,
    limiter: Option<SharedRateLimit>,
}

impl StripeCustomers {
    pub fn new(api_base: &str, secret_key: &str, timeout: Duration, limiter: Option<SharedRateLimit>) -> Result<Self, SyncError> {
        let client = StripeHttp::new(api_base, secret_key, timeout)
            .map_err(|e| SyncError::Permanent { message: format!("cannot build the Stripe client: {e}") })?;
        Ok(Self { client, limiter })
    }

    async fn throttle(&self) -> Result<(), SyncError> {
        match &self.limiter {
            Some(limiter) => limiter.acquire().await,
            None => Ok(()),
        }
    }

    fn strategy(key: &str) -> Result<RequestStrategy, SyncError> {
        // Keys are built from ids and versions, so they are never empty; a
        // too-long one would be a bug worth failing loudly on.
        IdempotencyKey::new(key)
            .map(RequestStrategy::Idempotent)
            .map_err(|e| SyncError::Permanent { message: format!("bad idempotency key: {e}") })
    }

    fn metadata(record: &CustomerRecord) -> HashMap<String, String> {
        HashMap::from([(METADATA_KEY.to_owned(), record.id.to_string()), (VERSION_METADATA_KEY.to_owned(), record.version.to_string())])
    }
}

impl Connector<CustomerRecord> for StripeCustomers {
    fn integration(&self) -> &'static str {
        "stripe"
    }

    async fn find(&self, our_id: Uuid, lookup_keys: &[String]) -> Result<Option<String>, SyncError> {
        let ours = our_id.to_string();
        for email in lookup_keys {
            // Exact-match list, not search: search is eventually consistent.
            let mut request = ListCustomer::new().email(email.clone()).limit(100);
            loop {
                self.throttle().await?;
                let page = request.send(&self.client).await?;
                if let Some(found) = page.data.iter().find(|c| c.metadata.as_ref().and_then(|m| m.get(METADATA_KEY)) == Some(&ours)) {
                    return Ok(Some(found.id.to_string()));
                }
                match page.data.last() {
                    Some(last) if page.has_more => {
                        request = ListCustomer::new().email(email.clone()).limit(100).starting_after(last.id.to_string())
                    }
                    _ => break,
                }
            }
        }
        Ok(None)
    }

    async fn create(&self, record: &CustomerRecord, idempotency_key: &str) -> Result<String, SyncError> {
        self.throttle().await?;
        let customer = CreateCustomer::new()
            .name(record.name.clone())
            .email(record.email.clone())
            .metadata(Self::metadata(record))
            .customize()
            .request_strategy(Self::strategy(idempotency_key)?)
            .send(&self.client)
            .await?;
        log::info!("customer {} created in Stripe as {}", record.id, customer.id);
        Ok(customer.id.to_string())
    }

    /// Stripe has no conditional update: the write is made as it is.
    async fn update(
        &self,
        external_id: &str,
        record: &CustomerRecord,
        idempotency_key: &str,
        _precondition: Option<&Precondition>,
    ) -> Result<(), SyncError> {
        self.throttle().await?;
        let updated = UpdateCustomer::new(external_id)
            .name(record.name.clone())
            .email(record.email.clone())
            .metadata(Self::metadata(record))
            .customize()
            .request_strategy(Self::strategy(idempotency_key)?)
            .send(&self.client)
            .await;
        match updated {
            Ok(_) => {
                log::info!("customer {} updated in Stripe ({external_id})", record.id);
                Ok(())
            }
            // `resource_missing` also answers another account or mode: only a
            // retrieve that says `deleted: true` is Stripe's word.
            Err(e) if e.is_not_found() => Err(self.deleted_or_missing(external_id).await),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, external_id: &str, idempotency_key: &str) -> Result<(), SyncError> {
        self.throttle().await?;
        match DeleteCustomer::new(external_id).customize().request_strategy(Self::strategy(idempotency_key)?).send(&self.client).await {
            Ok(_) => {
                log::info!("Stripe customer {external_id} deleted");
                Ok(())
            }
            // Already deleted (a resend whose first answer was lost, with no
            // key to replay it: localstripe). Nothing here is deleted by it,
            // so a 404 from another account only leaves a record there.
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl StripeCustomers {
    /// After a 404: `Gone` when a retrieve says `deleted: true`, otherwise
    /// [`not_in_account`] (or the retrieve's own error).
    async fn deleted_or_missing(&self, external_id: &str) -> SyncError {
        if let Err(e) = self.throttle().await {
            return e;
        }
        match self.client.get_json(&format!("/customers/{external_id}"), &[]).await {
            Ok(customer) if customer.get("deleted").and_then(serde_json::Value::as_bool) == Some(true) => {
                SyncError::Gone { message: format!("Stripe customer {external_id} was deleted in Stripe") }
            }
            Ok(_) => SyncError::Transient {
                message: format!("Stripe answered 404 to an update of customer {external_id}, then retrieved it live"),
                retry_after: None,
            },
            Err(e) if e.is_not_found() => not_in_account(external_id),
            Err(e) => e.into(),
        }
    }
}

/// A Stripe customer this account does not have, and no word that it was
/// deleted: a problem for a person (the wrong key, test and live mode
/// mixed), never a delete here.
pub fn not_in_account(external_id: &str) -> SyncError {
    SyncError::Missing {
        message: format!(
            "Stripe has no customer {external_id} in this account and does not say it was deleted \
             (another account or mode?): nothing is deleted here"
        ),
    }
}
