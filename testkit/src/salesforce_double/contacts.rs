//! The org's Contacts: one store that the REST API and the test controls
//! both write through, so the stamps, soft deletes and rules are the same
//! whoever writes. A delete is soft (the recycle bin); emptying the bin
//! leaves only a line in the delete log, as a hard delete does.
//!
//! Sharing: the API user sees only what sharing grants it; a person (an
//! administrator in the UI) sees everything. A record hidden from the API
//! user answers 404 NOT_FOUND to it: Salesforce's REST API guide, "Status
//! Codes and Error Responses", 404: "The requested resource couldn't be
//! found. Check the URI for errors, and verify that there are no sharing
//! issues." The unique index of the external id spans every record
//! whatever the sharing, so a create that repeats a hidden record's value
//! is `DUPLICATE_VALUE` (the database's uniqueness, not a query).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::duplicates::{self, DuplicateCheck};
use super::errors::SfError;
use super::fields::{self, EXTERNAL_ID};
use super::replication::DeleteLog;
use super::time::Clock;

/// Who writes, as `LastModifiedById` tells: the connected app's run-as user
/// or a person in the org. Also who looks, for sharing.
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
    /// The org's duplicate rule and the caller's allowSave, if it applies.
    pub duplicates: Option<DuplicateCheck>,
    /// `Catalog_Sync_Id__c` is unique; a person's edits may skip that, so a
    /// test can play the 300 of two matches.
    pub unique_external_id: bool,
    /// Email Address Internationalization is set up in the org.
    pub eai: bool,
    /// The API version the call names (for URLs in answers).
    pub version: u32,
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
    /// MasterRecordId: the record a merge folded this one into.
    pub master: Option<String>,
}

impl Contact {
    pub fn text(&self, field: &str) -> Option<&str> {
        self.values.get(field).and_then(Value::as_str)
    }
}

/// The records the API user may not see.
#[derive(Default)]
pub struct Sharing {
    pub hidden: HashSet<String>,
    /// Records people create from now on are hidden too.
    pub hide_new: bool,
}

impl Sharing {
    pub fn hides(&self, id: &str) -> bool {
        self.hidden.contains(id)
    }
}

#[derive(Default)]
pub struct Contacts {
    pub(super) records: BTreeMap<String, Contact>,
    /// Every delete the org remembers, for `/deleted/`.
    pub log: DeleteLog,
    next: u64,
    pub clock: Clock,
    pub sharing: Sharing,
}

fn last_name_missing(values: &Map<String, Value>) -> Result<(), SfError> {
    if values.get("LastName").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(SfError::new(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]").on_field("LastName"));
    }
    Ok(())
}

impl Contacts {
    /// The record whoever asks, hidden or not (a person, a test).
    pub fn get(&self, id: &str) -> Option<&Contact> {
        self.records.get(id)
    }

    /// The record if `viewer` may see it.
    pub fn visible(&self, id: &str, viewer: Writer) -> Option<&Contact> {
        self.records.get(id).filter(|c| viewer == Writer::Person || !self.sharing.hides(&c.id))
    }

    /// Every record, deleted ones too.
    pub fn all(&self) -> impl Iterator<Item = &Contact> {
        self.records.values()
    }

    /// Live records the API user sees whose external id is `value`.
    pub fn by_external_id(&self, value: &str) -> Vec<String> {
        let found = self.all().filter(|c| c.deleted.is_none() && c.text(EXTERNAL_ID) == Some(value) && !self.sharing.hides(&c.id));
        found.map(|c| c.id.clone()).collect()
    }

    /// A new Contact; `stamp` backdates it (a transaction that commits late).
    pub fn create(
        &mut self,
        body: &Map<String, Value>,
        rules: Rules,
        writer: Writer,
        stamp: Option<DateTime<Utc>>,
    ) -> Result<String, SfError> {
        let values = fields::checked(body, rules.custom_fields, rules.eai)?;
        last_name_missing(&values)?;
        self.check_conflicts(None, &values, rules)?;
        self.next += 1;
        let id = fields::salesforce_id("003", self.next);
        let at = stamp.unwrap_or_else(|| self.clock.stamp());
        let contact = Contact { id: id.clone(), values, created: at, modified: at, modified_by: writer, deleted: None, master: None };
        self.records.insert(id.clone(), contact);
        if writer == Writer::Person && self.sharing.hide_new {
            self.sharing.hidden.insert(id.clone());
        }
        Ok(id)
    }

    /// Sets the fields in `body` on a live record `writer` sees.
    pub fn update(&mut self, id: &str, body: &Map<String, Value>, rules: Rules, writer: Writer) -> Result<(), SfError> {
        let contact = self.live(id, writer)?;
        let mut values = contact.values.clone();
        values.extend(fields::checked(body, rules.custom_fields, rules.eai)?);
        last_name_missing(&values)?;
        self.check_conflicts(Some(id), &values, rules)?;
        let at = self.clock.stamp();
        let contact = self.records.get_mut(id).ok_or_else(SfError::not_found)?;
        contact.values = values;
        (contact.modified, contact.modified_by) = (at, writer);
        Ok(())
    }

    /// Moves a live record `writer` sees to the recycle bin.
    pub fn delete(&mut self, id: &str, writer: Writer) -> Result<(), SfError> {
        self.live(id, writer)?;
        self.soft_delete(id, writer, None);
        Ok(())
    }

    /// Stamps a record deleted (a delete, or the losing side of a merge).
    pub(super) fn soft_delete(&mut self, id: &str, writer: Writer, master: Option<&str>) {
        let at = self.clock.stamp();
        if let Some(contact) = self.records.get_mut(id) {
            (contact.modified, contact.modified_by, contact.deleted) = (at, writer, Some(at));
            contact.master = master.map(str::to_owned);
            self.log.record(id, at);
        }
    }

    /// Empties the recycle bin: deleted records vanish, even from queryAll.
    pub fn purge_deleted(&mut self) -> usize {
        let before = self.records.len();
        self.records.retain(|_, c| c.deleted.is_none());
        if self.log.empty_purges {
            self.log.purge(self.clock.now());
        }
        before - self.records.len()
    }

    /// The record if `viewer` sees it and it is not in the recycle bin.
    pub fn live(&self, id: &str, viewer: Writer) -> Result<&Contact, SfError> {
        match self.visible(id, viewer) {
            None => Err(SfError::not_found()),
            Some(c) if c.deleted.is_some() => Err(SfError::deleted()),
            Some(c) => Ok(c),
        }
    }

    /// The unique external id and the duplicate rule, against the other
    /// live records (all of them: neither looks through the API user's sharing).
    fn check_conflicts(&self, id: Option<&str>, values: &Map<String, Value>, rules: Rules) -> Result<(), SfError> {
        let others = || self.all().filter(|c| c.deleted.is_none() && Some(c.id.as_str()) != id);
        if let Some(ours) = values.get(EXTERNAL_ID).and_then(Value::as_str).filter(|_| rules.unique_external_id) {
            if let Some(other) = others().find(|c| c.text(EXTERNAL_ID) == Some(ours)) {
                let message = format!("duplicate value found: {EXTERNAL_ID} duplicates value on record with id: {}", other.id);
                return Err(SfError::new(400, "DUPLICATE_VALUE", message).on_field(EXTERNAL_ID));
            }
        }
        match rules.duplicates {
            Some(check) => duplicates::check(check, values, others(), &format!("v{}.0", rules.version)),
            None => Ok(()),
        }
    }
}
