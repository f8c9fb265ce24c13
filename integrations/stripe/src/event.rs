//! Stripe events read leniently: only the fields the sync needs, whatever
//! the account's API version (the emulator sends 2017-08-15 payloads).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;
use uuid::Uuid;

use crate::{METADATA_KEY, VERSION_METADATA_KEY};

/// Longest id or type taken from Stripe.
const MAX_ID_BYTES: usize = 255;

#[derive(Debug, Clone, Deserialize)]
pub struct StripeEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EventError {
    #[error("the body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("the body is not a Stripe event: {0}")]
    NotAnEvent(String),
}

/// A Stripe customer as an event (or a retrieve) carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteCustomer {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub metadata: HashMap<String, String>,
    /// Set on what a retrieve of a deleted customer returns.
    pub deleted: bool,
}

impl StripeEvent {
    /// Parses and checks the raw body of a webhook or one item of a list.
    pub fn parse(body: &[u8]) -> Result<(Self, Value), EventError> {
        let value: Value = serde_json::from_slice(body).map_err(|e| EventError::InvalidJson(e.to_string()))?;
        let event = Self::from_value(&value)?;
        Ok((event, value))
    }

    pub fn from_value(value: &Value) -> Result<Self, EventError> {
        let event = Self::deserialize(value).map_err(|e| EventError::NotAnEvent(e.to_string()))?;
        if event.id.trim().is_empty() || event.event_type.trim().is_empty() {
            return Err(EventError::NotAnEvent("id and type must not be empty".into()));
        }
        // They key the inbox and the links. Stripe's never hold a control
        // character, and PostgreSQL could not store a NUL in them.
        if has_control(&event.id) || has_control(&event.event_type) {
            return Err(EventError::NotAnEvent("id and type must not contain control characters".into()));
        }
        // Stripe's are about 30 characters; a huge one could not be keyed (indexed) at all.
        if event.id.len() > MAX_ID_BYTES || event.event_type.len() > MAX_ID_BYTES {
            return Err(EventError::NotAnEvent(format!("id and type must be at most {MAX_ID_BYTES} bytes")));
        }
        if !event.data.object.is_object() {
            return Err(EventError::NotAnEvent("data.object must be an object".into()));
        }
        if event.is_customer_event() {
            RemoteCustomer::from_value(&event.data.object)?;
        }
        Ok(event)
    }

    /// `customer.created`, `customer.updated`, `customer.deleted`; not the
    /// `customer.source.*` or `customer.subscription.*` families.
    pub fn is_customer_event(&self) -> bool {
        matches!(self.event_type.as_str(), "customer.created" | "customer.updated" | "customer.deleted")
    }
}

impl RemoteCustomer {
    pub fn from_value(value: &Value) -> Result<Self, EventError> {
        let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
        let id = text("id").filter(|id| !id.is_empty()).ok_or_else(|| EventError::NotAnEvent("the customer has no id".into()))?;
        if has_control(&id) || id.len() > MAX_ID_BYTES {
            return Err(EventError::NotAnEvent(format!(
                "the customer id must be at most {MAX_ID_BYTES} bytes, with no control characters"
            )));
        }
        let metadata = value
            .get("metadata")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned()))).collect())
            .unwrap_or_default();
        Ok(Self {
            id,
            name: text("name"),
            email: text("email"),
            metadata,
            deleted: value.get("deleted").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// Our customer id, when the Stripe customer carries a well-formed one.
    pub fn our_id(&self) -> Option<Uuid> {
        self.metadata.get(METADATA_KEY).and_then(|id| Uuid::parse_str(id.trim()).ok())
    }

    /// The version of ours that we last wrote to it (0: never written by us).
    pub fn written_version(&self) -> i64 {
        self.metadata.get(VERSION_METADATA_KEY).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }

    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "id": self.id, "name": self.name, "email": self.email, "metadata": self.metadata, "deleted": self.deleted,
        })
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_an_emulator_payload_without_request_or_pending_webhooks() {
        let body = json!({
            "id": "evt_1", "object": "event", "api_version": "2017-08-15", "created": 1_700_000_000,
            "type": "customer.updated", "livemode": false,
            "data": {"object": {"id": "cus_1", "object": "customer", "name": "Ada", "email": "ada@example.com",
                "metadata": {"catalog_sync_id": "0190a0a0-0000-7000-8000-000000000001", "catalog_sync_version": "3", "n": 5}}}
        });
        let (event, _) = StripeEvent::parse(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let customer = RemoteCustomer::from_value(&event.data.object).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(customer.written_version(), 3);
        assert!(customer.our_id().is_some());
        assert_eq!(customer.email.as_deref(), Some("ada@example.com"));
        assert!(!customer.deleted);
    }

    #[test]
    fn refuses_what_is_not_an_event() {
        assert!(matches!(StripeEvent::parse(b"{not json"), Err(EventError::InvalidJson(_))));
        assert!(matches!(StripeEvent::parse(br#"{"id":"evt_1"}"#), Err(EventError::NotAnEvent(_))));
        let no_customer_id = json!({"id": "evt_1", "type": "customer.created", "created": 1, "data": {"object": {"name": "x"}}});
        assert!(matches!(StripeEvent::parse(no_customer_id.to_string().as_bytes()), Err(EventError::NotAnEvent(_))));
        let other = json!({"id": "evt_1", "type": "invoice.paid", "created": 1, "data": {"object": {}}});
        assert!(StripeEvent::parse(other.to_string().as_bytes()).is_ok());
        let nul_id = json!({"id": "evt_\u{0}1", "type": "invoice.paid", "created": 1, "data": {"object": {}}});
        assert!(matches!(StripeEvent::parse(nul_id.to_string().as_bytes()), Err(EventError::NotAnEvent(_))));
        let nul_customer = json!({"id": "evt_1", "type": "customer.created", "created": 1, "data": {"object": {"id": "cus_\u{0}"}}});
        let huge_id = json!({"id": "e".repeat(500_000), "type": "invoice.paid", "created": 1, "data": {"object": {}}});
        assert!(matches!(StripeEvent::parse(huge_id.to_string().as_bytes()), Err(EventError::NotAnEvent(_))));
        let huge_customer = json!({"id": "evt_1", "type": "customer.created", "created": 1, "data": {"object": {"id": "c".repeat(300)}}});
        assert!(matches!(StripeEvent::parse(huge_customer.to_string().as_bytes()), Err(EventError::NotAnEvent(_))));
        assert!(matches!(StripeEvent::parse(nul_customer.to_string().as_bytes()), Err(EventError::NotAnEvent(_))));
    }

    #[test]
    fn a_nul_in_a_customer_value_is_kept_for_the_rules_to_see() {
        let body = r#"{"id": "evt_1", "type": "customer.created", "created": 1,
            "data": {"object": {"id": "cus_1", "name": "Poison\u0000Pill", "email": "p@example.com"}}}"#;
        let (event, _) = StripeEvent::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let customer = RemoteCustomer::from_value(&event.data.object).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(customer.name.as_deref(), Some("Poison\u{0}Pill"));
    }
}
