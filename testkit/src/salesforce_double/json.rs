//! How a Contact reads over the API: the fields asked for (all by default)
//! under their canonical names, after an `attributes` object, as both GET
//! and SOQL answer.

use serde_json::{json, Map, Value};

use super::contacts::Contact;
use super::fields::{self, Field};
use super::time;

impl Contact {
    /// One field's value; unset writable fields read as null.
    pub fn value(&self, field: &Field) -> Value {
        let stamp = || Value::String(time::format(self.modified));
        match field.name {
            "Id" => Value::String(self.id.clone()),
            "IsDeleted" => Value::Bool(self.deleted.is_some()),
            "Name" => {
                let parts = [self.text("FirstName"), self.text("LastName")];
                Value::String(parts.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" "))
            }
            "CreatedDate" => Value::String(time::format(self.created)),
            "LastModifiedDate" | "SystemModstamp" => stamp(),
            "LastModifiedById" => Value::String(self.modified_by.user_id()),
            "MasterRecordId" => self.master.clone().map_or(Value::Null, Value::String),
            name => self.values.get(name).cloned().unwrap_or(Value::Null),
        }
    }

    /// The record with `attributes` and the given fields, in their order.
    pub fn to_json(&self, version: &str, fields: &[&Field]) -> Value {
        let mut record = Map::new();
        let url = format!("/services/data/{version}/sobjects/Contact/{}", self.id);
        record.insert("attributes".into(), json!({"type": "Contact", "url": url}));
        for field in fields {
            record.insert(field.name.to_owned(), self.value(field));
        }
        Value::Object(record)
    }

    /// Every field the org has: what GET answers without `?fields=`.
    pub fn to_full_json(&self, version: &str, custom_fields: bool) -> Value {
        let all: Vec<&Field> = fields::all(custom_fields).collect();
        self.to_json(version, &all)
    }
}

/// The fields of a comma-separated list, or the first unknown name.
pub fn field_list(list: &str, custom_fields: bool) -> Result<Vec<&'static Field>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| fields::find(name, custom_fields).ok_or_else(|| name.to_owned()))
        .collect()
}
