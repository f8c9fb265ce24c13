//! Upsert by external id (`PATCH /sobjects/Contact/Catalog_Sync_Id__c/{v}`):
//! the call that makes an outward create idempotent. A new value creates
//! (201, `created: true`), one match updates (200, `created: false`, as from
//! API 46.0), two matches answer 300 with their URLs.

use serde_json::{json, Value};

use super::contacts::Writer;
use super::errors::{Reply, SfError};
use super::fields::{self, EXTERNAL_ID};
use super::org::Org;
use super::rest::Call;

/// The external-id field `field` names, or Salesforce's 404 for it.
fn external_field(org: &Org, field: &str) -> Result<&'static str, SfError> {
    fields::find(field, org.custom_fields)
        .filter(|f| f.name == EXTERNAL_ID)
        .map(|f| f.name)
        .ok_or_else(|| SfError::new(404, "NOT_FOUND", format!("Provided external ID field does not exist or is not accessible: {field}")))
}

fn record_urls(ids: &[String], version: &str) -> Value {
    json!(ids.iter().map(|id| format!("/services/data/{version}/sobjects/Contact/{id}")).collect::<Vec<_>>())
}

pub fn upsert(org: &mut Org, call: &Call, field: &str, value: &str, version: &str) -> Reply {
    let result = (|| {
        let field = external_field(org, field)?;
        let mut body = call.object()?;
        if let Some(key) = body.keys().find(|k| k.eq_ignore_ascii_case("Id") || k.eq_ignore_ascii_case(field)) {
            let message = format!("The {key} field should not be specified in the sobject data.");
            return Err(SfError::new(400, "INVALID_FIELD", message).on_field(key));
        }
        let rules = org.api_rules(call.allow_save, call.api);
        let matches = org.contacts.by_external_id(value);
        let created = call.api >= 46;
        match matches.as_slice() {
            [] => {
                body.insert(field.to_owned(), Value::String(value.to_owned()));
                let id = org.contacts.create(&body, rules, Writer::Api, None)?;
                let mut answer = json!({"id": id, "success": true, "errors": []});
                if created {
                    answer["created"] = json!(true);
                }
                Ok((201, Some(answer)))
            }
            [id] => {
                org.contacts.update(id, &body, rules, Writer::Api)?;
                match created {
                    true => Ok((200, Some(json!({"id": id, "success": true, "errors": [], "created": false})))),
                    false => Ok((204, None)),
                }
            }
            _ => Ok((300, Some(record_urls(&matches, version)))),
        }
    })();
    result.unwrap_or_else(Reply::from)
}

/// `GET /sobjects/Contact/Catalog_Sync_Id__c/{v}`: the record, or 300.
pub fn read(org: &Org, field: &str, value: &str, version: &str) -> Reply {
    if let Err(error) = external_field(org, field) {
        return error.into();
    }
    match org.contacts.by_external_id(value).as_slice() {
        [] => SfError::not_found().into(),
        [id] => match org.contacts.get(id) {
            Some(contact) => (200, Some(contact.to_full_json(version, org.custom_fields))),
            None => SfError::not_found().into(),
        },
        matches => (300, Some(record_urls(matches, version))),
    }
}
