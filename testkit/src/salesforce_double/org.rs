//! Everything the double's org holds behind one lock: the Contacts, the
//! issued tokens, the API quota, the failures queued by tests, the switches
//! and the log of calls. Every REST call passes `admit` first, in
//! Salesforce's order: the session, then the quota, then the call itself.

use std::collections::HashSet;

use serde_json::Value;

use super::contacts::{Contacts, Rules};
use super::duplicates::{DuplicateAction, DuplicateCheck, DuplicateMatching};
use super::errors::SfError;
use super::query::Cursors;

/// One call as the double saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// The `client=` of `Sforce-Call-Options`, if sent.
    pub client: Option<String>,
    /// When the double answered it (what the bench's lags are measured to).
    pub at: std::time::Instant,
}

impl Logged {
    /// A REST call that changed a record: a create, update, upsert or delete that succeeded.
    pub fn is_write(&self) -> bool {
        self.path.starts_with("/services/data/") && self.method != "GET" && (200..300).contains(&self.status)
    }
}

/// A failure queued by a test: the next `times` REST calls (writes only,
/// if `writes_only`) answer `status` with `error_code` and do nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub times: u32,
    pub status: u16,
    pub error_code: String,
    pub writes_only: bool,
}

pub struct Org {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub tokens: HashSet<String>,
    pub issued: u64,
    pub contacts: Contacts,
    pub cursors: Cursors,
    /// API calls spent in the current 24 hours, and the org's daily allowance.
    pub used: u64,
    pub quota: u64,
    pub failures: Vec<Failure>,
    /// The active duplicate rule for Contact, if any (none at start).
    pub duplicate_rule: Option<(DuplicateMatching, DuplicateAction)>,
    pub custom_fields: bool,
    /// Email Address Internationalization set up (off at start).
    pub eai: bool,
    /// The connected app's secret rotated or the app disabled.
    pub revoked: bool,
    /// Compare `If-Unmodified-Since` to the millisecond, not the second.
    pub precondition_millis: bool,
    pub page_size: usize,
    pub log: Vec<Logged>,
}

pub const DEFAULT_QUOTA: u64 = 15_000;
pub const DEFAULT_PAGE_SIZE: usize = 200;

impl Org {
    pub fn new(base_url: String, client_id: &str, client_secret: &str) -> Self {
        Self {
            base_url,
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            tokens: HashSet::new(),
            issued: 0,
            contacts: Contacts::default(),
            cursors: Cursors::default(),
            used: 0,
            quota: DEFAULT_QUOTA,
            failures: Vec::new(),
            duplicate_rule: None,
            custom_fields: true,
            eai: false,
            revoked: false,
            precondition_millis: false,
            page_size: DEFAULT_PAGE_SIZE,
            log: Vec::new(),
        }
    }

    /// The `Sforce-Limit-Info` header's value.
    pub fn limit_info(&self) -> String {
        format!("api-usage={}/{}", self.used, self.quota)
    }

    /// Checks the session and the quota, counts the call, and plays a
    /// queued failure if one is due. `Ok` means: go on and serve it.
    pub fn admit(&mut self, authorization: Option<&str>, method: &str) -> Result<(), SfError> {
        let token = authorization.and_then(|a| a.strip_prefix("Bearer ").or_else(|| a.strip_prefix("OAuth ")));
        if !token.is_some_and(|t| self.tokens.contains(t.trim())) {
            return Err(SfError::new(401, "INVALID_SESSION_ID", "Session expired or invalid"));
        }
        if self.used >= self.quota {
            let message = format!("TotalRequests Limit exceeded. api-usage={}/{}", self.used, self.quota);
            return Err(SfError::new(403, "REQUEST_LIMIT_EXCEEDED", message));
        }
        self.used += 1;
        let write = method != "GET";
        if let Some(failure) = self.failures.iter_mut().find(|f| f.times > 0 && (write || !f.writes_only)) {
            failure.times -= 1;
            let (status, code) = (failure.status, failure.error_code.clone());
            self.failures.retain(|f| f.times > 0);
            return Err(SfError::new(status, &code, format!("{code} (played by the double)")));
        }
        Ok(())
    }

    /// The rules an API write of API version `version` meets; `allow_save`
    /// is the caller's `Sforce-Duplicate-Rule-Header: allowSave=true`,
    /// which Salesforce reads from API version 52.0 on only
    /// (headers_duplicaterules.htm).
    pub fn api_rules(&self, allow_save: bool, version: u32) -> Rules {
        let duplicates =
            self.duplicate_rule.map(|(matching, action)| DuplicateCheck { matching, action, allow_save: allow_save && version >= 52 });
        Rules { custom_fields: self.custom_fields, duplicates, unique_external_id: true, eai: self.eai, version }
    }

    /// A person with admin rights in the org: no duplicate rule (the UI's
    /// alert is acknowledged), no unique check, the custom fields always
    /// there; the email checks apply, as the UI makes them too.
    pub fn person_rules(&self) -> Rules {
        Rules { custom_fields: true, duplicates: None, unique_external_id: false, eai: self.eai, version: 62 }
    }

    /// Every record, deleted ones too, with all fields: what tests inspect.
    pub fn dump(&self) -> Vec<Value> {
        self.contacts.all().map(|c| c.to_full_json("v62.0", true)).collect()
    }
}
