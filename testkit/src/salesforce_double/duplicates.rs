//! Duplicate rules: an org's active duplicate rule for Contact, its
//! matching rule and its action, and the `DUPLICATES_DETECTED` refusal.
//!
//! - Salesforce's REST API guide, "Duplicate Rule Header"
//!   (headers_duplicaterules.htm): `Sforce-Duplicate-Rule-Header:
//!   allowSave=true` lets an API save go through an **Alert** rule; it is
//!   available in API version 52.0 and later (so below that an Alert rule
//!   refuses every matching API save), and every field defaults to false.
//!   `runAsCurrentUser` defaults to false: the rule runs with the system's
//!   sharing, so records hidden from the API user still match.
//! - SOAP API guide, "DuplicateRuleHeader": allowSave bypasses alerts only;
//!   a **Block** rule refuses whatever the header says.
//! - Object reference, "DuplicateResult": `allowSave`, `duplicateRule`,
//!   `duplicateRuleEntityType`, `errorMessage`, `matchResults` (each with
//!   its `matchRecords`).
//! - The JSON key: real REST answers spell it **`duplicateResut`** (sic),
//!   as captured bodies in many public clients show (e.g. a
//!   `Standard_Contact_Duplicate_Rule` answer on v54.0 quoted in a C#
//!   client, Portuguese and Lead captures, RudderStack's test fixtures);
//!   a client reading `duplicateResult` finds nothing. The double answers
//!   what a real org answers: see `DUPLICATE_RESULT_KEY`.
//! - Person edits never meet the rule: a UI user sees the alert and saves.

use serde_json::{json, Map, Value};

use super::contacts::Contact;
use super::errors::SfError;
use super::matching;

/// The key of the duplicate result in a `DUPLICATES_DETECTED` error, as
/// Salesforce's REST API spells it (see the module doc).
pub const DUPLICATE_RESULT_KEY: &str = "duplicateResut";

/// What an active duplicate rule does with a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateAction {
    /// Refuses API saves unless `allowSave=true` (v52.0+).
    Alert,
    /// Refuses every API save that matches.
    Block,
}

/// The matching rule the duplicate rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateMatching {
    /// A custom rule: Email equal, ignoring case; a blank Email never matches.
    EmailExact,
    /// The Standard Contact Matching Rule's `FirstName AND LastName AND
    /// Email` group, the only one of its equation (matching_rules_standard_
    /// contact_rule.htm) built from fields the double's Contacts carry:
    /// First Name fuzzy (ignored when blank, as the rule ignores blank
    /// fields in a group with Email), Last Name fuzzy, Email exact. The
    /// rule's special handling also tries First and Last Name transposed.
    StandardContact,
}

/// A save's duplicate check: the org's rule and the caller's allowSave.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateCheck {
    pub matching: DuplicateMatching,
    pub action: DuplicateAction,
    pub allow_save: bool,
}

fn text<'a>(values: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    values.get(field).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty())
}

/// Do the values being saved match an existing record under `matching`?
fn matches(matching: DuplicateMatching, ours: &Map<String, Value>, theirs: &Contact) -> bool {
    let Some(email) = text(ours, "Email") else { return false };
    let email_equal = text(&theirs.values, "Email").is_some_and(|e| e.eq_ignore_ascii_case(email));
    if matching == DuplicateMatching::EmailExact || !email_equal {
        return email_equal;
    }
    let names = |first: Option<&str>, last: Option<&str>, their_first: Option<&str>, their_last: Option<&str>| {
        let first_ok = match (first, their_first) {
            (Some(a), Some(b)) => matching::first_names(a, b),
            _ => true,
        };
        first_ok && last.zip(their_last).is_some_and(|(a, b)| matching::last_names(a, b))
    };
    let (first, last) = (text(ours, "FirstName"), text(ours, "LastName"));
    let (their_first, their_last) = (text(&theirs.values, "FirstName"), text(&theirs.values, "LastName"));
    let transposable = first.is_some() && last.is_some();
    names(first, last, their_first, their_last) || (transposable && names(last, first, their_first, their_last))
}

/// Refuses the save if the rule finds matches and may not be bypassed.
pub fn check<'a>(
    check: DuplicateCheck,
    ours: &Map<String, Value>,
    others: impl Iterator<Item = &'a Contact>,
    version: &str,
) -> Result<(), SfError> {
    if check.action == DuplicateAction::Alert && check.allow_save {
        return Ok(());
    }
    let matched: Vec<Value> = others
        .filter(|c| matches(check.matching, ours, c))
        .map(|c| {
            let url = format!("/services/data/{version}/sobjects/Contact/{}", c.id);
            json!({"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                   "record": {"attributes": {"type": "Contact", "url": url}, "Id": c.id}})
        })
        .collect();
    if matched.is_empty() {
        return Ok(());
    }
    // The names and messages Salesforce ships with its standard rule (as
    // captured answers show), and the double's own for the email rule.
    let (rule, matching_rule, engine, message) = match check.matching {
        DuplicateMatching::StandardContact => (
            "Standard_Contact_Duplicate_Rule",
            "Standard_Contact_Match_Rule_v1_1",
            "FuzzyMatchEngine",
            "You're creating a duplicate record. We recommend you use an existing record instead.",
        ),
        DuplicateMatching::EmailExact => ("Catalog_Sync_Email_Rule", "Contact_Email", "ExactMatchEngine", "Use one of these records?"),
    };
    let mut error = SfError::new(400, "DUPLICATES_DETECTED", message);
    error.extra = Some(json!({DUPLICATE_RESULT_KEY: {
        "allowSave": check.action == DuplicateAction::Alert, "duplicateRule": rule, "duplicateRuleEntityType": "Contact",
        "errorMessage": message,
        "matchResults": [{"entityType": "Contact", "errors": [], "matchEngine": engine, "matchRecords": matched,
                          "rule": matching_rule, "size": matched.len(), "success": true}],
    }}));
    Err(error)
}
