//! The customer catalog's `Connector` for Salesforce Contacts. A create is
//! an upsert by our id in the external-id field, so a create retried after
//! a lost answer (or a crash) finds the Contact it made instead of making a
//! second one; the version field carries the version written, as Stripe's
//! metadata does. Salesforce has no idempotency keys: the upsert is what
//! makes a resend harmless.

use customer_catalog::CustomerRecord;
use reqwest::Method;
use sync_core::{Connector, Precondition, SyncError};
use uuid::Uuid;

use crate::client::SalesforceHttp;
use crate::contact_calls::{quoted, urlencode};

/// The two custom fields on Contact that the sync needs.
#[derive(Debug, Clone)]
pub struct Fields {
    /// External ID and Unique, holding our customer id (`Catalog_Sync_Id__c`).
    pub external_id: String,
    /// The version of ours last written (`Catalog_Sync_Version__c`).
    pub version: String,
}

/// Whether a Contact whose email another one has is saved anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateRule {
    /// The org's duplicate rule decides; a match is a visible conflict.
    Respect,
    /// `Sforce-Duplicate-Rule-Header: allowSave=true`.
    AllowSave,
}

pub struct SalesforceContacts {
    pub(crate) http: SalesforceHttp,
    pub(crate) fields: Fields,
    pub(crate) duplicates: DuplicateRule,
}

impl SalesforceContacts {
    pub fn new(http: SalesforceHttp, fields: Fields, duplicates: DuplicateRule) -> Self {
        Self { http, fields, duplicates }
    }
}

impl Connector<CustomerRecord> for SalesforceContacts {
    fn integration(&self) -> &'static str {
        "salesforce"
    }

    /// The org must let us in and have the two custom fields on Contact
    /// (describe). A refused sign-in or a missing field is for a person to
    /// fix (`Permanent`); Salesforce out of reach is not (`Transient`).
    async fn preflight(&self) -> Result<(), SyncError> {
        self.http.sign_in().await?;
        let answer = self.call(Method::GET, "/sobjects/Contact/describe", None).await?;
        let fields = answer.body["fields"].as_array().cloned().unwrap_or_default();
        let field = |name: &str| fields.iter().find(|f| f["name"] == name).cloned();
        let (external, version) = (&self.fields.external_id, &self.fields.version);
        let mut missing = Vec::new();
        match field(external) {
            Some(f) if f["externalId"] == true && f["unique"] == true => {}
            Some(_) => missing.push(format!("{external} exists but must be marked External ID and Unique")),
            None => missing.push(format!("{external}: Text(36), External ID, Unique (holds our customer id)")),
        }
        if field(version).is_none() {
            missing.push(format!("{version}: Number(18, 0) (holds the version we last wrote)"));
        }
        if missing.is_empty() {
            return Ok(());
        }
        let what = missing.join("; ");
        Err(SyncError::Permanent {
            message: format!("create these custom fields on Contact (Setup, Object Manager, Contact, Fields & Relationships): {what}"),
        })
    }

    async fn find(&self, our_id: Uuid, _lookup_keys: &[String]) -> Result<Option<String>, SyncError> {
        let soql = format!("SELECT Id FROM Contact WHERE {} = {}", self.fields.external_id, quoted(&our_id.to_string()));
        let answer = self.call(Method::GET, &format!("/query?q={}", urlencode(&soql)), None).await?;
        Ok(answer.body["records"].as_array().and_then(|r| r.first()).and_then(|c| c["Id"].as_str()).map(str::to_owned))
    }

    async fn create(&self, record: &CustomerRecord, _idempotency_key: &str) -> Result<String, SyncError> {
        let path = format!("/sobjects/Contact/{}/{}", self.fields.external_id, record.id);
        let answer = match self.call(Method::PATCH, &path, Some(&self.body(record, false)?)).await {
            // An upsert makes what it does not find: a 404 is the setup.
            Err(SyncError::Missing { message } | SyncError::Gone { message }) => {
                let field = &self.fields.external_id;
                return Err(SyncError::Missing {
                    message: format!(
                        "{message} (the upsert by {field}: the field is missing, renamed or hidden from the API user by \
                         field-level security; nothing was created, and the customer waits until it is fixed)"
                    ),
                });
            }
            // A duplicate rule matched one Contact: that is the customer
            // (Err(Matched) links it, and our values are written to it).
            other => other?,
        };
        let id = answer.body["id"].as_str().map(str::to_owned);
        id.ok_or_else(|| SyncError::Permanent { message: format!("Salesforce's upsert answer has no id: {}", answer.body) })
    }

    async fn update(
        &self,
        external_id: &str,
        record: &CustomerRecord,
        _idempotency_key: &str,
        precondition: Option<&Precondition>,
    ) -> Result<(), SyncError> {
        // By its Id, not an upsert: a Contact deleted there must come back as
        // Gone, not be made again.
        let path = format!("/sobjects/Contact/{external_id}");
        match self.update_on(&path, &self.body(record, true)?, precondition).await {
            Err(SyncError::Gone { message }) => Err(crate::deleted::confirm(&self.http, external_id, &message, true).await),
            Err(SyncError::Missing { message }) => Err(crate::deleted::confirm(&self.http, external_id, &message, false).await),
            // Our own Contact matching another one: this edit is refused.
            Err(SyncError::Matched { message, .. }) => Err(SyncError::Permanent { message: format!("duplicate: {message}") }),
            other => other,
        }
    }

    /// Done when deleted there already; a Contact merged into another is
    /// the person still, so the delete goes on to the master.
    async fn delete(&self, external_id: &str, _idempotency_key: &str) -> Result<(), SyncError> {
        let error = match self.call(Method::DELETE, &format!("/sobjects/Contact/{external_id}"), None).await {
            Ok(_) => return Ok(()),
            Err(SyncError::Gone { message }) => crate::deleted::confirm(&self.http, external_id, &message, true).await,
            Err(SyncError::Missing { message }) => crate::deleted::confirm(&self.http, external_id, &message, false).await,
            Err(e) => e,
        };
        match error {
            SyncError::Gone { .. } => Ok(()),
            other => Err(other),
        }
    }
}
