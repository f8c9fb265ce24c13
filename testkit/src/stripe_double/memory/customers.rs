//! Customers: the few calls the services make, kept as Stripe returns them,
//! each change recorded as Stripe's `customer.*` event. An invoice or an
//! invoice item can only name a customer held here.

use serde_json::{json, Map, Value};

use super::errors::{no_such, Refusal};
use super::events::previous_attributes;
use super::form::Form;
use super::paging::{list, window};
use super::{Memory, Outcome};

pub(super) struct Customer {
    /// Creation order, for a newest-first list.
    pub seq: u64,
    pub json: Value,
}

fn missing(id: &str) -> Refusal {
    no_such(404, "customer", id, "id")
}

impl Memory {
    pub(super) fn create_customer(&mut self, form: &Form) -> Outcome {
        // The bench's id scheme, kept: its reports name these ids.
        let id = format!("cus_bench{}", self.customer_ids + 1);
        let customer = merged(json!({"id": id, "object": "customer", "created": chrono::Utc::now().timestamp(), "livemode": false}), form)?;
        self.customer_ids += 1;
        let seq = self.sequence();
        self.customers.insert(id, Customer { seq, json: customer.clone() });
        self.events.record("customer.created", customer.clone(), None);
        Ok(customer)
    }

    pub(super) fn update_customer(&mut self, id: &str, form: &Form) -> Outcome {
        let customer = self.customers.get_mut(id).ok_or_else(|| missing(id))?;
        let before = customer.json.clone();
        customer.json = merged(customer.json.clone(), form)?;
        let after = customer.json.clone();
        let previous = previous_attributes(&before, &after);
        // Stripe sends `customer.updated` only when something changed.
        if !previous.is_empty() {
            self.events.record("customer.updated", after.clone(), Some(previous));
        }
        Ok(after)
    }

    pub(super) fn delete_customer(&mut self, id: &str) -> Outcome {
        let customer = self.customers.remove(id).ok_or_else(|| missing(id))?;
        self.deleted.insert(id.to_owned());
        // The event carries the whole customer, as Stripe's does; the
        // answer only the deletion.
        self.events.record("customer.deleted", customer.json, None);
        Ok(json!({"id": id, "object": "customer", "deleted": true}))
    }

    pub(super) fn get_customer(&self, id: &str) -> Outcome {
        if self.deleted.contains(id) {
            return Ok(json!({"id": id, "object": "customer", "deleted": true}));
        }
        self.customers.get(id).map(|c| c.json.clone()).ok_or_else(|| missing(id))
    }

    /// `GET /v1/customers`, by `email` or all: newest first, in pages as
    /// Stripe's lists are (`limit` 1 to 100, 10 by default,
    /// `starting_after` / `ending_before`, `has_more`; see `paging` and
    /// https://docs.stripe.com/api/pagination), so that a client that reads
    /// only the first page misses customers here as it would in Stripe.
    pub(super) fn list_customers(&self, form: &Form) -> Outcome {
        form.refuse_unknown(&["email", "limit", "starting_after", "ending_before"])?;
        let email = form.get("email");
        let mut found: Vec<&Customer> =
            self.customers.values().filter(|c| email.is_none_or(|e| c.json["email"].as_str() == Some(e))).collect();
        found.sort_by_key(|c| std::cmp::Reverse(c.seq));
        let (page, has_more) = window(&found, |c: &Customer| c.json["id"].as_str().unwrap_or_default(), form)?;
        Ok(list(page.into_iter().map(|c| c.json.clone()).collect(), has_more, "/v1/customers"))
    }

    /// Whether an invoice or an item may name customer `id`: one held
    /// here, or any when the customers live in the emulator behind the
    /// double (`customers_elsewhere`), which memory cannot ask.
    pub(super) fn has_customer(&self, id: &str) -> bool {
        self.customers_elsewhere || self.customers.contains_key(id)
    }

    pub(super) fn customer_values(&self) -> Vec<Value> {
        let mut all: Vec<&Customer> = self.customers.values().collect();
        all.sort_by_key(|c| c.seq);
        all.into_iter().map(|c| c.json.clone()).collect()
    }
}

/// `customer` with the form fields of a create or update applied: name and
/// email (always present, null until given), and metadata by Stripe's
/// rules and limits (refused whole when over them).
fn merged(mut customer: Value, form: &Form) -> Result<Value, Refusal> {
    let Some(object) = customer.as_object_mut() else { return Ok(customer) };
    for key in ["name", "email"] {
        object.entry(key).or_insert(Value::Null);
        if let Some(value) = form.get(key) {
            object.insert(key.into(), Value::String(value.to_owned()));
        }
    }
    let mut metadata = object.get("metadata").and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
    form.apply_metadata(&mut metadata)?;
    object.insert("metadata".into(), Value::Object(metadata));
    Ok(customer)
}
