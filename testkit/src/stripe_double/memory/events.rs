//! The events Stripe records for every change, as `GET /v1/events` lists
//! them and webhooks deliver them: each carries the whole object as it was
//! right after the change (lines embedded), and an `*.updated` event also
//! the fields that changed, with their values before.

use serde_json::{json, Map, Value};
use tokio::sync::mpsc::UnboundedSender;

use super::errors::{no_such, Refusal};
use super::form::Form;
use super::paging::{list, window};

/// The API version the double's events are shaped by (newest first lists,
/// `parent` on invoice lines).
pub const API_VERSION: &str = "2025-03-31.basil";

#[derive(Default)]
pub(super) struct Events {
    /// Oldest first; ids follow the order.
    log: Vec<Value>,
    next: u64,
    /// Where each new event goes as it is recorded, for webhook delivery;
    /// sent under the memory's lock, so deliveries keep the events' order.
    webhooks: Option<UnboundedSender<Value>>,
}

/// The top-level fields of `before` whose value `after` changed, with their
/// values before: Stripe's `previous_attributes`. Empty when nothing
/// changed, in which case Stripe sends no `*.updated` event at all.
pub(super) fn previous_attributes(before: &Value, after: &Value) -> Map<String, Value> {
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else { return Map::new() };
    before.iter().filter(|(key, value)| after.get(key.as_str()) != Some(value)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

impl Events {
    pub fn record(&mut self, kind: &str, object: Value, previous: Option<Map<String, Value>>) {
        self.next += 1;
        let mut data = json!({"object": object});
        if let Some(previous) = previous {
            data["previous_attributes"] = Value::Object(previous);
        }
        let event = json!({
            "id": format!("evt_dbl{:014}", self.next),
            "object": "event",
            "type": kind,
            "created": chrono::Utc::now().timestamp(),
            "livemode": false,
            "api_version": API_VERSION,
            "pending_webhooks": u8::from(self.webhooks.is_some()),
            "request": {"id": null, "idempotency_key": null},
            "data": data,
        });
        if let Some(webhooks) = &self.webhooks {
            // A closed receiver means delivery stopped; the event stays listed.
            let _ = webhooks.send(event.clone());
        }
        self.log.push(event);
    }

    /// Every event so far, oldest first.
    pub fn all(&self) -> Vec<Value> {
        self.log.clone()
    }

    pub fn deliver_to(&mut self, webhooks: Option<UnboundedSender<Value>>) {
        self.webhooks = webhooks;
    }

    pub fn get(&self, id: &str) -> Result<Value, Refusal> {
        self.log.iter().rev().find(|e| e["id"] == id).cloned().ok_or_else(|| no_such(404, "event", id, "id"))
    }

    /// `GET /v1/events`: newest first, filtered by `created[gte|gt|lte|lt]`
    /// or `created`, and `type` (`invoice.*` matches a family) or `types[]`.
    pub fn list(&self, form: &Form) -> Result<Value, Refusal> {
        form.refuse_unknown(&["created", "type", "types", "limit", "starting_after", "ending_before", "delivery_success"])?;
        let bound = |key: &str| form.int(key);
        let (gte, gt, lte, lt, exact) =
            (bound("created[gte]")?, bound("created[gt]")?, bound("created[lte]")?, bound("created[lt]")?, bound("created")?);
        let kinds = form.all("types");
        let kind = form.get("type");
        let wanted = |event: &Value| {
            let created = event["created"].as_i64().unwrap_or_default();
            let name = event["type"].as_str().unwrap_or_default();
            gte.is_none_or(|t| created >= t)
                && gt.is_none_or(|t| created > t)
                && lte.is_none_or(|t| created <= t)
                && lt.is_none_or(|t| created < t)
                && exact.is_none_or(|t| created == t)
                && kind.is_none_or(|k| matches_type(k, name))
                && (kinds.is_empty() || kinds.iter().any(|k| matches_type(k, name)))
        };
        let newest_first: Vec<&Value> = self.log.iter().rev().filter(|e| wanted(e)).collect();
        let (page, has_more) = window(&newest_first, |e: &Value| e["id"].as_str().unwrap_or_default(), form)?;
        Ok(list(page.into_iter().cloned().collect(), has_more, "/v1/events"))
    }
}

/// `invoice.*` matches every `invoice.` event, as Stripe's `type` filter does.
fn matches_type(filter: &str, name: &str) -> bool {
    match filter.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => filter == name,
    }
}
