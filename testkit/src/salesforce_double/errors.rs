//! Salesforce's error answers: a JSON array of `{message, errorCode, fields}`,
//! which is what a client's error mapping reads to decide retry or not.

use serde_json::{json, Value};

/// One refused call: its status and the single error in its array.
#[derive(Debug, Clone, PartialEq)]
pub struct SfError {
    pub status: u16,
    pub error_code: String,
    pub message: String,
    pub fields: Vec<String>,
    /// More keys in the error object (a duplicate rule's match result).
    pub extra: Option<Value>,
}

impl SfError {
    pub fn new(status: u16, error_code: &str, message: impl Into<String>) -> Self {
        Self { status, error_code: error_code.to_owned(), message: message.into(), fields: Vec::new(), extra: None }
    }

    pub fn on_field(mut self, field: &str) -> Self {
        self.fields.push(field.to_owned());
        self
    }

    pub fn body(&self) -> Value {
        let mut error = json!({"message": self.message, "errorCode": self.error_code, "fields": self.fields});
        if let (Some(Value::Object(extra)), Some(object)) = (&self.extra, error.as_object_mut()) {
            object.extend(extra.clone());
        }
        json!([error])
    }

    pub fn not_found() -> Self {
        Self::new(404, "NOT_FOUND", "The requested resource does not exist")
    }

    pub fn deleted() -> Self {
        Self::new(404, "ENTITY_IS_DELETED", "entity is deleted")
    }

    pub fn malformed_query(message: impl Into<String>) -> Self {
        Self::new(400, "MALFORMED_QUERY", message)
    }

    pub fn invalid_field(field: &str) -> Self {
        Self::new(400, "INVALID_FIELD", format!("No such column '{field}' on sobject of type Contact")).on_field(field)
    }
}

impl std::fmt::Display for SfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error_code, self.message)
    }
}

impl std::error::Error for SfError {}

/// What a REST call answers: a status and, unless it is a 204, a JSON body.
pub type Reply = (u16, Option<Value>);

impl From<SfError> for Reply {
    fn from(error: SfError) -> Self {
        (error.status, Some(error.body()))
    }
}
