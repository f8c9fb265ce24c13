//! Stripe read by the sync core: its event stream (a [`Feed`]: signed
//! webhooks and `GET /v1/events`) and its customers (a [`Source`] of the
//! customer catalog).

use std::sync::Arc;

use async_trait::async_trait;
use customer_catalog::{Customers, RemoteCustomer as CustomerValues};
use serde_json::Value;
use sync_core::inward::{Envelope, Feed, Page, Polled, Refusal, RemoteRecord, Source};
use sync_core::SyncError;

use crate::event::{EventError, RemoteCustomer, StripeEvent};
use crate::reads::StripeApi;
use crate::signature::{SignatureError, Verifier};

const STRIPE: &str = "stripe";
/// Stripe customers read per list call (Stripe's maximum).
const PAGE: u32 = 100;

/// Stripe's event stream.
pub struct StripeFeed {
    api: Arc<StripeApi>,
    verifier: Verifier,
}

impl StripeFeed {
    pub fn new(api: Arc<StripeApi>, verifier: Verifier) -> Self {
        Self { api, verifier }
    }
}

fn refusal(e: &EventError) -> Refusal {
    match e {
        EventError::InvalidJson(_) => Refusal::new("invalid_json", e.to_string()),
        EventError::NotAnEvent(_) => Refusal::new("invalid_event", e.to_string()),
    }
}

#[async_trait]
impl Feed for StripeFeed {
    fn integration(&self) -> &'static str {
        STRIPE
    }

    fn signature_header(&self) -> &'static str {
        "Stripe-Signature"
    }

    fn verify(&self, signature: Option<&str>, body: &[u8], now: i64) -> Result<(), Refusal> {
        self.verifier.verify(signature, body, now).map(|_| ()).map_err(|e| {
            let code = match e {
                SignatureError::Missing => "missing_signature",
                SignatureError::Malformed(_) => "malformed_signature",
                SignatureError::NoV1 | SignatureError::Mismatch => "invalid_signature",
                SignatureError::OutsideTolerance { .. } => "timestamp_outside_tolerance",
            };
            Refusal::new(code, e.to_string())
        })
    }

    fn envelope(&self, event: &Value) -> Result<Envelope, Refusal> {
        let event = StripeEvent::from_value(event).map_err(|e| refusal(&e))?;
        Ok(Envelope { id: event.id, kind: event.event_type, created: event.created })
    }

    async fn retrieve(&self, id: &str) -> Result<Option<Value>, SyncError> {
        Ok(self.api.event(id).await?)
    }

    async fn events_since(&self, from: i64) -> Result<Polled, SyncError> {
        // A list read in part (a cap on pages) is no failure: the rest comes next time.
        let (events, complete) = self.api.events_since(from).await?;
        Ok(Polled { events, complete, ..Polled::default() })
    }
}

/// Stripe's customers, as the customer catalog's source.
pub struct StripeCustomerSource {
    api: Arc<StripeApi>,
}

impl StripeCustomerSource {
    pub fn new(api: Arc<StripeApi>) -> Self {
        Self { api }
    }
}

fn record(customer: RemoteCustomer) -> RemoteRecord<CustomerValues> {
    RemoteRecord {
        our_id: customer.our_id(),
        written_version: customer.written_version(),
        deleted: customer.deleted,
        merged_into: None,
        snapshot: customer.to_json(),
        values: CustomerValues { name: customer.name, email: customer.email },
        external_id: customer.id,
    }
}

impl Source<Customers> for StripeCustomerSource {
    fn integration(&self) -> &'static str {
        STRIPE
    }

    fn display_name(&self) -> &'static str {
        "Stripe"
    }

    fn decode(&self, envelope: &Envelope, event: &Value) -> Result<Option<RemoteRecord<CustomerValues>>, String> {
        let event = StripeEvent::from_value(event).map_err(|e| e.to_string())?;
        if !event.is_customer_event() {
            return Ok(None);
        }
        let mut remote = record(RemoteCustomer::from_value(&event.data.object).map_err(|e| e.to_string())?);
        remote.deleted |= envelope.kind == "customer.deleted";
        Ok(Some(remote))
    }

    async fn get(&self, external_id: &str) -> Result<RemoteRecord<CustomerValues>, SyncError> {
        match self.api.customer(external_id).await? {
            Some(customer) => Ok(record(customer)),
            None => Err(crate::customers::not_in_account(external_id)),
        }
    }

    async fn list_page(&self, after: Option<&str>) -> Result<Page<CustomerValues>, SyncError> {
        let page = self.api.customers_page(after, PAGE).await?;
        let mut records = Vec::with_capacity(page.items.len());
        for item in &page.items {
            match RemoteCustomer::from_value(item) {
                Ok(customer) => records.push(record(customer)),
                // No Stripe customer lacks an id; one that does cannot be keyed.
                Err(e) => log::warn!("reconcile: skipping a listed Stripe customer that cannot be read: {e}"),
            }
        }
        Ok(Page { records, next: page.next })
    }
}
