//! The double's own customer store, for when no emulator stands behind it:
//! the few calls the services make, answered from memory at once, so that a
//! benchmark measures our overhead and not the emulator's.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

#[derive(Default)]
pub struct Memory {
    customers: HashMap<String, Value>,
    next_id: u64,
}

fn form(body: &[u8]) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter().collect()
}

impl Memory {
    /// Answers one call: (status, JSON body).
    pub fn answer(&mut self, method: &str, path: &str, query: &str, body: &[u8]) -> (u16, Value) {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let missing =
            || (404, json!({"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such customer"}}));
        match (method, segments.as_slice()) {
            ("POST", ["v1", "customers"]) => {
                self.next_id += 1;
                let id = format!("cus_bench{}", self.next_id);
                let customer =
                    merged(json!({"id": id, "object": "customer", "created": chrono::Utc::now().timestamp(), "livemode": false}), body);
                self.customers.insert(id, customer.clone());
                (200, customer)
            }
            ("POST", ["v1", "customers", id]) => match self.customers.get_mut(*id) {
                Some(customer) => {
                    *customer = merged(customer.take(), body);
                    (200, customer.clone())
                }
                None => missing(),
            },
            ("DELETE", ["v1", "customers", id]) => match self.customers.remove(*id) {
                Some(_) => (200, json!({"id": id, "object": "customer", "deleted": true})),
                None => missing(),
            },
            ("GET", ["v1", "customers", id]) => self.customers.get(*id).map_or_else(missing, |c| (200, c.clone())),
            ("GET", ["v1", "customers"]) => {
                let query = form(query.as_bytes());
                let data: Vec<Value> = self
                    .customers
                    .values()
                    .filter(|c| query.get("email").is_none_or(|e| c["email"].as_str() == Some(e)))
                    .take(100)
                    .cloned()
                    .collect();
                (200, json!({"object": "list", "data": data, "has_more": false, "url": "/v1/customers"}))
            }
            _ => (404, json!({"error": {"type": "invalid_request_error", "message": format!("the double does not serve {path}")}})),
        }
    }

    pub fn customers(&self) -> Vec<Value> {
        self.customers.values().cloned().collect()
    }
}

/// `customer` with the form fields of a create or update applied.
fn merged(mut customer: Value, body: &[u8]) -> Value {
    let fields = form(body);
    let Some(object) = customer.as_object_mut() else { return customer };
    for key in ["name", "email"] {
        object.entry(key).or_insert(Value::Null);
        if let Some(value) = fields.get(key) {
            object.insert(key.into(), Value::String(value.clone()));
        }
    }
    let mut metadata = object.get("metadata").and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
    for (key, value) in &fields {
        if let Some(name) = key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
            metadata.insert(name.into(), Value::String(value.clone()));
        }
    }
    object.insert("metadata".into(), Value::Object(metadata));
    customer
}
