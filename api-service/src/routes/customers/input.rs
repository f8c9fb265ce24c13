//! The bodies of `POST`, `PUT` and `PATCH /customers`, and their parsing.

use serde::Deserialize;
use shared_models::domain::{CustomerName, Email};
use utoipa::ToSchema;

use crate::error::ApiError;

// The body of POST, PUT and PATCH. Fields are optional here so that a
// missing one gets a message of ours; each handler says which it requires.
// Documented as PATCH takes it; POST and PUT as `CustomerFields`. (Not
// `min_properties = 1`: utoipa-gen 5.5 writes that as maxProperties.)
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(
    as = CustomerPatch,
    description = "The fields to change: at least one of `name`, `email`; those left out keep their values.",
    example = json!({"name": "Ada King"})
)]
pub struct CustomerInput {
    /// 1 to 256 characters once trimmed.
    #[schema(nullable = false, example = "Ada King")]
    name: Option<String>,
    /// A valid address (at most 254 characters); stored lower-cased.
    #[schema(nullable = false, example = "ada@example.com")]
    email: Option<String>,
}

// Documentation only: the body is read as `CustomerInput`, which checks
// that both fields are there (`validation_failed` naming the missing one).
/// Both fields of a customer, as POST and PUT require them.
#[derive(ToSchema)]
#[schema(example = json!({"name": "Ada Lovelace", "email": "ada@example.com"}))]
#[allow(dead_code)]
pub struct CustomerFields {
    /// 1 to 256 characters once trimmed.
    #[schema(example = "Ada Lovelace")]
    name: String,
    /// A valid address (at most 254 characters); stored lower-cased. No
    /// other live customer may have it, whatever its case.
    #[schema(example = "ada@example.com")]
    email: String,
}

/// A body whose fields are valid; those left out are None.
pub struct Parsed {
    pub name: Option<CustomerName>,
    pub email: Option<Email>,
}

impl CustomerInput {
    /// `require_all`: both fields (POST, PUT); otherwise at least one (PATCH).
    pub fn parse(self, require_all: bool) -> Result<Parsed, ApiError> {
        let missing = |field: &str| ApiError::Validation { field: Some(field.into()), message: format!("{field} is required") };
        if require_all && self.name.is_none() {
            return Err(missing("name"));
        }
        if require_all && self.email.is_none() {
            return Err(missing("email"));
        }
        if self.name.is_none() && self.email.is_none() {
            return Err(ApiError::Validation { field: None, message: "give at least one of name, email".into() });
        }
        Ok(Parsed {
            name: self.name.as_deref().map(CustomerName::parse).transpose()?,
            email: self.email.as_deref().map(Email::parse).transpose()?,
        })
    }
}
