//! `query` and `queryAll`: a parsed SOQL shape run against the Contacts,
//! ordered by (SystemModstamp, Id), and handed out in pages. The records
//! are taken when the query runs and kept under a query locator, so that
//! `nextRecordsUrl` pages through what the first call saw, as Salesforce's
//! locators do.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::contacts::Contacts;
use super::errors::SfError;
use super::fields;
use super::json::field_list;
use super::soql::{self, Filter};

#[derive(Default)]
pub struct Cursors {
    /// Locator -> every record of its query.
    taken: HashMap<String, Vec<Value>>,
    next: u64,
}

/// The records `q` selects: live ones, or with `all` (queryAll) deleted ones too.
pub fn run(contacts: &Contacts, q: &str, all: bool, custom_fields: bool, version: &str) -> Result<Vec<Value>, SfError> {
    let soql = soql::parse(q).map_err(SfError::malformed_query)?;
    let selected = field_list(&soql.fields.join(","), custom_fields).map_err(|name| SfError::invalid_field(&name))?;
    if let Filter::Equals { field, .. } = &soql.filter {
        fields::find(field, custom_fields).ok_or_else(|| SfError::invalid_field(field))?;
    }
    let mut matched: Vec<_> = contacts
        .all()
        .filter(|c| all || c.deleted.is_none())
        .filter(|c| match &soql.filter {
            Filter::All => true,
            Filter::ModstampAfter { at, inclusive } => c.modified > *at || (*inclusive && c.modified == *at),
            Filter::Equals { field, value } => c.text(field).is_some_and(|v| v.eq_ignore_ascii_case(value)),
        })
        .collect();
    matched.sort_by(|a, b| (a.modified, &a.id).cmp(&(b.modified, &b.id)));
    let limit = soql.limit.unwrap_or(usize::MAX);
    Ok(matched.into_iter().take(limit).map(|c| c.to_json(version, &selected)).collect())
}

impl Cursors {
    /// The first page of `records`; the rest waits under a new locator.
    pub fn first_page(&mut self, records: Vec<Value>, page_size: usize, version: &str) -> Value {
        self.next += 1;
        let locator = fields::salesforce_id("01g", self.next);
        let page = page(&records, 0, page_size, &locator, version);
        if records.len() > page_size {
            self.taken.insert(locator, records);
        }
        page
    }

    /// The page a `nextRecordsUrl` names: `<locator>-<offset>`.
    pub fn next_page(&self, cursor: &str, page_size: usize, version: &str) -> Result<Value, SfError> {
        let invalid = || SfError::new(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        let (locator, offset) = cursor.rsplit_once('-').ok_or_else(invalid)?;
        let offset: usize = offset.parse().map_err(|_| invalid())?;
        let records = self.taken.get(locator).ok_or_else(invalid)?;
        if offset >= records.len() {
            return Err(invalid());
        }
        Ok(page(records, offset, page_size, locator, version))
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
