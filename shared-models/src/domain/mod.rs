//! The catalog's values, parsed at the edge so that the rest of the code only
//! ever holds valid ones.

mod customer_id;
mod customer_name;
mod email;
pub mod invoice;

pub use customer_id::CustomerId;
pub use customer_name::CustomerName;
pub use email::Email;

use thiserror::Error;

/// Why a value was refused; each variant names the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("{0}")]
    InvalidEmail(String),
    #[error("{0}")]
    InvalidName(String),
    #[error("{0}")]
    InvalidId(String),
    /// A field of an invoice; `field` is its path in the body
    /// (`lines[2].quantity`).
    #[error("{message}")]
    Invalid { field: String, message: String },
}

impl DomainError {
    pub fn field(&self) -> &str {
        match self {
            DomainError::InvalidEmail(_) => "email",
            DomainError::InvalidName(_) => "name",
            DomainError::InvalidId(_) => "id",
            DomainError::Invalid { field, .. } => field,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid { field: field.into(), message: message.into() }
    }
}
