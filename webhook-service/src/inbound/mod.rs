//! The inward sync: Stripe's events, from webhooks or the poller, land in the
//! inbox (`inbound_events`) and are applied from there, one transaction each.

mod customers;
mod poller;
mod processor;

use diesel_async::AsyncPgConnection;
use shared_models::db::inbound_events::{InboundEvent, InboundStatus};

pub use poller::Poller;
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
    pub detail: String,
}

impl Outcome {
    fn applied(detail: String) -> Self {
        Self { status: InboundStatus::Applied, detail }
    }
    fn skipped(detail: String) -> Self {
        Self { status: InboundStatus::Skipped, detail }
    }
    fn rejected(detail: String) -> Self {
        Self { status: InboundStatus::Rejected, detail }
    }
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
        let event = StripeEvent::from_value(&stored.payload).map_err(|e| Error::BadPayload(e.to_string()))?;
        if !event.is_customer_event() {
            let detail = format!("catalog-sync does not handle {} events", event.event_type);
            return Ok(Outcome { status: InboundStatus::Ignored, detail });
        }
        customers::apply(conn, self, &event).await
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
