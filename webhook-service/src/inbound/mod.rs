//! The inward sync: Stripe's events, from webhooks or the poller, land in the
//! inbox (`inbound_events`) and are applied from there, one transaction each.

mod customers;
mod listed;
mod new_customers;
mod poller;
mod processor;
mod remote_checks;

use diesel_async::AsyncPgConnection;
use shared_models::db::inbound_events::{InboundEvent, InboundStatus};

pub use poller::{Poller, CURSOR as POLL_CURSOR};
pub use processor::{Handled, Processor, RetryPolicy};

use serde_json::Value;
use shared_models::db::inbound_events::{self, NewInboundEvent};

use crate::event::StripeEvent;
use crate::stripe_api::StripeApi;
use crate::Error;

pub const STRIPE: &str = "stripe";

/// How an event was handled; `detail` is stored with it in the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: InboundStatus,
    /// What it did to the catalog (`None` unless applied).
    pub effect: Option<Effect>,
    pub detail: String,
}

/// The change an applied event made to the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Created,
    Updated,
    Deleted,
    /// An outside record was linked to the local customer with its email.
    Linked,
    /// Stripe was found holding something other than the catalog's latest
    /// version (a listed state): the change is queued to be written again.
    Requeued {
        entity: uuid::Uuid,
        operation: shared_models::sync::Operation,
    },
}

impl Outcome {
    fn applied(effect: Effect, detail: String) -> Self {
        Self { status: InboundStatus::Applied, effect: Some(effect), detail }
    }
    fn skipped(detail: String) -> Self {
        Self { status: InboundStatus::Skipped, effect: None, detail }
    }
    fn rejected(detail: String) -> Self {
        Self { status: InboundStatus::Rejected, effect: None, detail }
    }
}

/// Where the Stripe state being applied comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An event: the change was made at the event's `created`.
    Event,
    /// A list read (reconcile): the current state, of a change made at an
    /// unknown time; `created` is when it was read.
    Listed,
}

/// Applies stored events to the catalog.
pub struct Applier {
    api: std::sync::Arc<StripeApi>,
    integrations: Vec<String>,
}

impl Applier {
    pub fn new(api: std::sync::Arc<StripeApi>, integrations: Vec<String>) -> Self {
        Self { api, integrations }
    }

    pub async fn apply(&self, conn: &mut AsyncPgConnection, stored: &InboundEvent) -> Result<Outcome, Error> {
        if stored.integration != STRIPE {
            // Never read as a Stripe event: each integration's events are its own source's.
            let detail = format!("no source of {} events runs here; it is not read as a Stripe event", stored.integration);
            return Ok(Outcome { status: InboundStatus::Ignored, effect: None, detail });
        }
        let event = StripeEvent::from_value(&stored.payload).map_err(|e| Error::BadPayload(e.to_string()))?;
        if !event.is_customer_event() {
            let detail = format!("catalog-sync does not handle {} events", event.event_type);
            return Ok(Outcome { status: InboundStatus::Ignored, effect: None, detail });
        }
        customers::apply(conn, self, &event, Source::Event).await
    }

    /// Applies a customer as Stripe holds it now, read at `read_at` (unix
    /// seconds), by the same rules as its events.
    pub async fn apply_listed_customer(&self, conn: &mut AsyncPgConnection, customer: &Value, read_at: i64) -> Result<Outcome, Error> {
        let deleted = customer.get("deleted").and_then(Value::as_bool).unwrap_or(false);
        let event = StripeEvent {
            id: format!("list_{read_at}"),
            event_type: if deleted { "customer.deleted" } else { "customer.updated" }.to_owned(),
            created: read_at,
            data: crate::event::EventData { object: customer.clone() },
        };
        customers::apply(conn, self, &event, Source::Listed).await
    }

    pub fn api(&self) -> &StripeApi {
        &self.api
    }

    pub fn integrations(&self) -> &[String] {
        &self.integrations
    }
}

/// Puts an event in the inbox; false when its id is already there.
pub async fn store(conn: &mut AsyncPgConnection, event: &StripeEvent, payload: &Value, source: &str) -> Result<bool, Error> {
    let row = NewInboundEvent {
        integration: STRIPE,
        event_id: &event.id,
        event_type: &event.event_type,
        event_created: event.created,
        payload,
        source,
    };
    Ok(inbound_events::insert(conn, row).await?)
}
