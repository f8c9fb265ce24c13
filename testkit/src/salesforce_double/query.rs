//! `query` and `queryAll`: a parsed SOQL shape run against the Contacts the
//! API user sees, ordered by (SystemModstamp, Id), and handed out in pages.
//! The records are taken when the query runs and kept under a query
//! locator, so that `nextRecordsUrl` pages through what the first call
//! saw, as Salesforce's locators do.
//!
//! Locators do not live for ever (SOAP API guide, "QueryLocator"; help
//! article 000004410 "INVALID_QUERY_LOCATOR"): one expires after 15 minutes
//! without use (of the org's clock), a user holds at most 10 at a time
//! (opening an 11th releases the oldest), and `Controls::
//! expire_query_locators` plays everything else that ends them (the two-
//! day limit, a restart). A dead locator is 400 `INVALID_QUERY_LOCATOR`,
//! "invalid query locator" (the REST answer clients such as restforce
//! report).

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};

use super::contacts::Contacts;
use super::errors::SfError;
use super::fields;
use super::json::field_list;
use super::soql::{self, Filter};

const OPEN_PER_USER: usize = 10;
const IDLE: TimeDelta = TimeDelta::minutes(15);

struct Locator {
    name: String,
    records: Vec<Value>,
    used: DateTime<Utc>,
}

#[derive(Default)]
pub struct Cursors {
    /// The open locators, oldest first.
    open: VecDeque<Locator>,
    next: u64,
}

/// Whether a SOQL id literal (15 or 18 characters) names `id`: the first
/// 15 characters are the id, case-sensitive; the 18-character suffix only
/// makes it safe for case-insensitive systems.
fn same_id(id: &str, literal: &str) -> bool {
    id.get(..15).is_some_and(|short| literal.get(..15) == Some(short))
}

/// The records `q` selects: live ones, or with `all` (queryAll) deleted
/// ones too; never those hidden from the API user.
pub fn run(contacts: &Contacts, q: &str, all: bool, custom_fields: bool, version: &str) -> Result<Vec<Value>, SfError> {
    let soql = soql::parse(q).map_err(|why| match why.starts_with("invalid ID field") {
        true => SfError::new(400, "INVALID_QUERY_FILTER_OPERATOR", why),
        false => SfError::malformed_query(why),
    })?;
    let selected = field_list(&soql.fields.join(","), custom_fields).map_err(|name| SfError::invalid_field(&name))?;
    if let Filter::Equals { field, .. } = &soql.filter {
        fields::find(field, custom_fields).ok_or_else(|| SfError::invalid_field(field))?;
    }
    let mut matched: Vec<_> = contacts
        .all()
        .filter(|c| (all || c.deleted.is_none()) && !contacts.sharing.hides(&c.id))
        .filter(|c| match &soql.filter {
            Filter::All => true,
            Filter::ModstampAfter { at, inclusive } => c.modified > *at || (*inclusive && c.modified == *at),
            Filter::Equals { field, value } => c.text(field).is_some_and(|v| v.eq_ignore_ascii_case(value)),
            Filter::Ids(ids) => ids.iter().any(|literal| same_id(&c.id, literal)),
        })
        .collect();
    matched.sort_by(|a, b| (a.modified, &a.id).cmp(&(b.modified, &b.id)));
    let limit = soql.limit.unwrap_or(usize::MAX);
    Ok(matched.into_iter().take(limit).map(|c| c.to_json(version, &selected)).collect())
}

impl Cursors {
    /// The first page of `records`; the rest waits under a new locator.
    pub fn first_page(&mut self, records: Vec<Value>, page_size: usize, version: &str, now: DateTime<Utc>) -> Value {
        self.next += 1;
        let name = fields::salesforce_id("01g", self.next);
        let page = page(&records, 0, page_size, &name, version);
        if records.len() > page_size {
            self.open.retain(|l| now - l.used <= IDLE);
            if self.open.len() >= OPEN_PER_USER {
                self.open.pop_front();
            }
            self.open.push_back(Locator { name, records, used: now });
        }
        page
    }

    /// The page a `nextRecordsUrl` names: `<locator>-<offset>`.
    pub fn next_page(&mut self, cursor: &str, page_size: usize, version: &str, now: DateTime<Utc>) -> Result<Value, SfError> {
        let invalid = || SfError::new(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        let (name, offset) = cursor.rsplit_once('-').ok_or_else(invalid)?;
        let offset: usize = offset.parse().map_err(|_| invalid())?;
        self.open.retain(|l| now - l.used <= IDLE);
        let locator = self.open.iter_mut().find(|l| l.name == name).ok_or_else(invalid)?;
        if offset >= locator.records.len() {
            return Err(invalid());
        }
        locator.used = now;
        Ok(page(&locator.records, offset, page_size, name, version))
    }

    /// Every locator handed out so far stops working.
    pub fn expire(&mut self) {
        self.open.clear();
    }
}

fn page(records: &[Value], offset: usize, page_size: usize, locator: &str, version: &str) -> Value {
    let end = (offset + page_size).min(records.len());
    let done = end >= records.len();
    let mut answer = json!({"totalSize": records.len(), "done": done, "records": &records[offset..end]});
    if !done {
        answer["nextRecordsUrl"] = json!(format!("/services/data/{version}/query/{locator}-{end}"));
    }
    answer
}
