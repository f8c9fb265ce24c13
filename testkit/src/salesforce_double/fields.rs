//! Contact's fields as the double's org defines them, what describe says of
//! them, and Salesforce's 18-character ids. The two custom fields can be
//! taken away, to play an org where nobody created them yet.

use serde_json::{json, Map, Value};

use super::email;
use super::errors::SfError;

pub const EXTERNAL_ID: &str = "Catalog_Sync_Id__c";
pub const VERSION: &str = "Catalog_Sync_Version__c";

pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    /// Longest string accepted (0: not a string).
    pub length: usize,
    /// Can a write set it?
    pub writable: bool,
    pub custom: bool,
}

const fn field(name: &'static str, label: &'static str, kind: &'static str, length: usize, writable: bool) -> Field {
    Field { name, label, kind, length, writable, custom: false }
}

pub const FIELDS: &[Field] = &[
    field("Id", "Contact ID", "id", 18, false),
    field("IsDeleted", "Deleted", "boolean", 0, false),
    field("FirstName", "First Name", "string", 40, true),
    field("LastName", "Last Name", "string", 80, true),
    field("Name", "Full Name", "string", 121, false),
    field("Email", "Email", "email", 80, true),
    Field { name: EXTERNAL_ID, label: "Catalog Sync Id", kind: "string", length: 255, writable: true, custom: true },
    Field { name: VERSION, label: "Catalog Sync Version", kind: "double", length: 0, writable: true, custom: true },
    field("CreatedDate", "Created Date", "datetime", 0, false),
    field("LastModifiedDate", "Last Modified Date", "datetime", 0, false),
    field("LastModifiedById", "Last Modified By ID", "reference", 18, false),
    field("SystemModstamp", "System Modstamp", "datetime", 0, false),
    // Set on the records a merge deletes, to the record they were merged
    // into; null elsewhere (Contact's object reference; SOAP API "merge()").
    field("MasterRecordId", "Master Record ID", "reference", 18, false),
];

/// The field named `name` (SOQL and the REST API ignore case), if the org
/// has it.
pub fn find(name: &str, custom_fields: bool) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name.eq_ignore_ascii_case(name) && (custom_fields || !f.custom))
}

/// Every field the org has, in describe's order.
pub fn all(custom_fields: bool) -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(move |f| custom_fields || !f.custom)
}

/// `GET /sobjects/Contact/describe`, cut to what a client checks.
pub fn describe(custom_fields: bool, version: &str) -> Value {
    let fields: Vec<Value> = all(custom_fields)
        .map(|f| {
            let external = f.name == EXTERNAL_ID;
            json!({
                "name": f.name, "label": f.label, "type": f.kind, "length": f.length,
                "custom": f.custom, "createable": f.writable, "updateable": f.writable,
                "nillable": f.writable && f.name != "LastName",
                "externalId": external, "unique": external, "idLookup": external || f.name == "Id",
                "precision": if f.kind == "double" { 18 } else { 0 }, "scale": 0,
            })
        })
        .collect();
    let base = format!("/services/data/{version}/sobjects/Contact");
    json!({
        "name": "Contact", "label": "Contact", "keyPrefix": "003", "custom": false,
        "createable": true, "updateable": true, "deletable": true, "queryable": true, "replicateable": true,
        "fields": fields,
        "urls": {"sobject": base, "describe": format!("{base}/describe"), "rowTemplate": format!("{base}/{{ID}}")},
    })
}

/// The body's fields under canonical names: each one writable, each string
/// within its length, an Email valid (and lower-cased, as stored).
/// `attributes` is allowed and ignored, as Salesforce does.
pub fn checked(body: &Map<String, Value>, custom_fields: bool, eai: bool) -> Result<Map<String, Value>, SfError> {
    let mut values = Map::new();
    for (name, value) in body.iter().filter(|(name, _)| name.as_str() != "attributes") {
        let field = find(name, custom_fields).ok_or_else(|| SfError::invalid_field(name))?;
        if !field.writable {
            let message = format!("Unable to create/update fields: {}. Please check the security settings of this field.", field.name);
            return Err(SfError::new(400, "INVALID_FIELD_FOR_INSERT_UPDATE", message).on_field(field.name));
        }
        let mut value = value.clone();
        match &value {
            Value::String(text) if field.length > 0 && text.chars().count() > field.length => {
                let message = format!("{}: data value too large: {text} (max length={})", field.label, field.length);
                return Err(SfError::new(400, "STRING_TOO_LONG", message).on_field(field.name));
            }
            Value::String(text) if field.kind == "email" && !text.is_empty() => value = Value::String(email::checked(text, eai)?),
            Value::Null | Value::String(_) => {}
            Value::Number(_) if field.kind == "double" => {}
            _ => {
                let message = format!("Cannot deserialize instance of {} from {value}", field.kind);
                return Err(SfError::new(400, "JSON_PARSER_ERROR", message).on_field(field.name));
            }
        }
        values.insert(field.name.to_owned(), value);
    }
    Ok(values)
}

/// A Salesforce id: the 3-character key prefix, a 12-character body, and
/// the 3-character suffix that makes it case-insensitive (18 characters).
pub fn salesforce_id(prefix: &str, n: u64) -> String {
    let short = format!("{prefix}Hs{n:010}");
    let short = &short[..15.min(short.len())];
    const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut id = short.to_owned();
    for chunk in short.as_bytes().chunks(5) {
        let flags = chunk.iter().enumerate().filter(|(_, c)| c.is_ascii_uppercase()).fold(0, |acc, (i, _)| acc | (1 << i));
        id.push(char::from(SUFFIX[flags]));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_salesforce_s_shape_and_checksum() {
        let id = salesforce_id("003", 7);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("003Hs"));
        // "003Hs" has one capital at position 3 of the first chunk: flags 0b01000 -> 'I'.
        assert_eq!(&id[15..], "IAA");
        assert_ne!(salesforce_id("003", 8), id);
    }

    #[test]
    fn custom_fields_can_be_missing() {
        assert!(find("catalog_sync_id__c", true).is_some());
        assert!(find(EXTERNAL_ID, false).is_none());
        let described = describe(true, "v62.0");
        let external = described["fields"].as_array().and_then(|f| f.iter().find(|f| f["name"] == EXTERNAL_ID)).cloned();
        assert_eq!(external.map(|f| (f["externalId"].clone(), f["unique"].clone())), Some((json!(true), json!(true))));
    }
}
