//! The org's Contacts: one store that the REST API and the test controls
//! both write through, so the stamps, soft deletes and rules are the same
//! whoever writes. A delete is soft (the recycle bin); emptying the bin
//! leaves only a line in the replication log, as a hard delete does.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::errors::SfError;
use super::fields::{self, EXTERNAL_ID};
use super::time::Clock;

/// Who writes, as `LastModifiedById` tells: the connected app's run-as user
/// or a person in the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    Api,
    Person,
}

impl Writer {
    pub fn user_id(self) -> String {
        fields::salesforce_id("005", if self == Writer::Api { 1 } else { 2 })
    }
}

/// What a write must respect besides the fields' own rules.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub custom_fields: bool,
    /// The Email duplicate rule is on and the caller did not say allowSave.
    pub block_duplicates: bool,
    /// `Catalog_Sync_Id__c` is unique; a person's edits may skip that, so a
    /// test can play the 300 of two matches.
    pub unique_external_id: bool,
}

pub struct Contact {
    pub id: String,
    /// The writable fields that were set, under their canonical names.
    pub values: Map<String, Value>,
    pub created: DateTime<Utc>,
    /// LastModifiedDate and SystemModstamp: the double moves them together.
    pub modified: DateTime<Utc>,
    pub modified_by: Writer,
    pub deleted: Option<DateTime<Utc>>,
}

impl Contact {
    pub fn text(&self, field: &str) -> Option<&str> {
        self.values.get(field).and_then(Value::as_str)
    }
}

#[derive(Default)]
pub struct Contacts {
    records: BTreeMap<String, Contact>,
    /// Every delete ever made (id, when), for `/deleted/`.
    pub deletions: Vec<(String, DateTime<Utc>)>,
    next: u64,
    clock: Clock,
}

impl Contacts {
    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.records.get(id)
    }

    /// Every record, deleted ones too.
    pub fn all(&self) -> impl Iterator<Item = &Contact> {
        self.records.values()
    }

    /// Live records whose external id is `value`.
    pub fn by_external_id(&self, value: &str) -> Vec<String> {
        self.all().filter(|c| c.deleted.is_none() && c.text(EXTERNAL_ID) == Some(value)).map(|c| c.id.clone()).collect()
    }

    /// A new Contact; `stamp` backdates it (a transaction that commits late).
    pub fn create(
        &mut self,
        body: &Map<String, Value>,
        rules: Rules,
        writer: Writer,
        stamp: Option<DateTime<Utc>>,
    ) -> Result<String, SfError> {
        let values = checked(body, rules.custom_fields)?;
        if values.get("LastName").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(SfError::new(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]").on_field("LastName"));
        }
        self.check_conflicts(None, &values, rules)?;
        self.next += 1;
        let id = fields::salesforce_id("003", self.next);
        let at = stamp.unwrap_or_else(|| self.clock.stamp());
        let contact = Contact { id: id.clone(), values, created: at, modified: at, modified_by: writer, deleted: None };
        self.records.insert(id.clone(), contact);
        Ok(id)
    }

    /// Sets the fields in `body` on a live record.
    pub fn update(&mut self, id: &str, body: &Map<String, Value>, rules: Rules, writer: Writer) -> Result<(), SfError> {
        let contact = self.live(id)?;
        let mut values = contact.values.clone();
        values.extend(checked(body, rules.custom_fields)?);
        if values.get("LastName").and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(SfError::new(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]").on_field("LastName"));
        }
        self.check_conflicts(Some(id), &values, rules)?;
        let at = self.clock.stamp();
        let contact = self.records.get_mut(id).ok_or_else(SfError::not_found)?;
        contact.values = values;
        (contact.modified, contact.modified_by) = (at, writer);
        Ok(())
    }

    /// Moves a live record to the recycle bin.
    pub fn delete(&mut self, id: &str, writer: Writer) -> Result<(), SfError> {
        self.live(id)?;
        let at = self.clock.stamp();
        let contact = self.records.get_mut(id).ok_or_else(SfError::not_found)?;
        (contact.modified, contact.modified_by, contact.deleted) = (at, writer, Some(at));
        self.deletions.push((id.to_owned(), at));
        Ok(())
    }

    /// Empties the recycle bin: deleted records vanish, even from queryAll.
    pub fn purge_deleted(&mut self) -> usize {
        let before = self.records.len();
        self.records.retain(|_, c| c.deleted.is_none());
        before - self.records.len()
    }

    /// The record if it exists and is not in the recycle bin.
    pub fn live(&self, id: &str) -> Result<&Contact, SfError> {
        match self.records.get(id) {
            None => Err(SfError::not_found()),
            Some(c) if c.deleted.is_some() => Err(SfError::deleted()),
            Some(c) => Ok(c),
        }
    }

    /// The unique external id and the Email duplicate rule, against the
    /// other live records.
    fn check_conflicts(&self, id: Option<&str>, values: &Map<String, Value>, rules: Rules) -> Result<(), SfError> {
        let others = || self.all().filter(|c| c.deleted.is_none() && Some(c.id.as_str()) != id);
        if let Some(ours) = values.get(EXTERNAL_ID).and_then(Value::as_str).filter(|_| rules.unique_external_id) {
            if let Some(other) = others().find(|c| c.text(EXTERNAL_ID) == Some(ours)) {
                let message = format!("duplicate value found: {EXTERNAL_ID} duplicates value on record with id: {}", other.id);
                return Err(SfError::new(400, "DUPLICATE_VALUE", message).on_field(EXTERNAL_ID));
            }
        }
        let email = values.get("Email").and_then(Value::as_str).filter(|e| !e.is_empty() && rules.block_duplicates);
        if let Some(email) = email {
            let matched: Vec<Value> = others()
                .filter(|c| c.text("Email").is_some_and(|e| e.eq_ignore_ascii_case(email)))
                .map(|c| serde_json::json!({"record": {"Id": c.id}}))
                .collect();
            if !matched.is_empty() {
                let mut error = SfError::new(400, "DUPLICATES_DETECTED", "Use one of these records?");
                error.extra = Some(serde_json::json!({"duplicateResult": {
                    "allowSave": true, "duplicateRule": "Catalog_Sync_Email_Rule", "duplicateRuleEntityType": "Contact",
                    "errorMessage": "Use one of these records?",
                    "matchResults": [{"entityType": "Contact", "matchRecords": matched, "rule": "Contact_Email", "size": matched.len()}],
                }}));
                return Err(error);
            }
        }
        Ok(())
    }
}

/// The body's fields under canonical names: each one writable, each string
/// within its length. `attributes` is allowed and ignored, as Salesforce does.
fn checked(body: &Map<String, Value>, custom_fields: bool) -> Result<Map<String, Value>, SfError> {
    let mut values = Map::new();
    for (name, value) in body.iter().filter(|(name, _)| name.as_str() != "attributes") {
        let field = fields::find(name, custom_fields).ok_or_else(|| SfError::invalid_field(name))?;
        if !field.writable {
            let message = format!("Unable to create/update fields: {}. Please check the security settings of this field.", field.name);
            return Err(SfError::new(400, "INVALID_FIELD_FOR_INSERT_UPDATE", message).on_field(field.name));
        }
        match value {
            Value::String(text) if field.length > 0 && text.chars().count() > field.length => {
                let message = format!("{}: data value too large: {text} (max length={})", field.label, field.length);
                return Err(SfError::new(400, "STRING_TOO_LONG", message).on_field(field.name));
            }
            Value::Null | Value::String(_) => {}
            Value::Number(_) if field.kind == "double" => {}
            _ => {
                let message = format!("Cannot deserialize instance of {} from {value}", field.kind);
                return Err(SfError::new(400, "JSON_PARSER_ERROR", message).on_field(field.name));
            }
        }
        values.insert(field.name.to_owned(), value.clone());
    }
    Ok(values)
}
