use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::DomainError;

/// Our own customer id: a UUIDv7, unrelated to any outside system's id.
/// v7 sorts by creation time, which makes it a stable pagination cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(Uuid);

impl CustomerId {
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Uuid::parse_str(raw.trim()).map(Self).map_err(|_| DomainError::InvalidId(format!("'{raw}' is not a customer id")))
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl From<Uuid> for CustomerId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_its_own_display_and_refuses_garbage() {
        let id = CustomerId::generate();
        assert_eq!(CustomerId::parse(&id.to_string()), Ok(id));
        assert!(CustomerId::parse("cus_123").is_err());
        assert!(CustomerId::parse("").is_err());
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = CustomerId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = CustomerId::generate();
        assert!(a < b);
    }
}
