//! Enums stored as TEXT. A status column holds one of a few lowercase words
//! (its CHECK constraint lists the same ones); Rust code reads and writes
//! the enum, so a status is never a bare string between the database and
//! the JSON, and a word the enum does not know fails the read, naming it.

/// For an enum that derives `AsExpression` and `FromSqlRow` with
/// `#[diesel(sql_type = diesel::sql_types::Text)]`, implements: `ALL` and
/// `as_str` (the stored words, from this one list), diesel's `ToSql` and
/// `FromSql` for Text on PostgreSQL, `FromStr`, and comparison with a word
/// (`status == "applied"`, as tests that read rows check them).
macro_rules! text_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database (and shown in JSON).
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|value| value.as_str() == text).ok_or_else(|| format!("unknown {} '{text}'", $what))
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(self.as_str(), out)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                Ok(std::str::from_utf8(value.as_bytes())?.parse()?)
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, word: &&str) -> bool {
                self.as_str() == *word
            }
        }
    };
}

pub(crate) use text_enum;

#[cfg(test)]
mod tests {
    use crate::db::inbound_events::InboundStatus;
    use crate::db::reconcile_runs::{RunStatus, StartedBy};
    use crate::sync::SyncStatus;

    /// The JSON word of each value is the stored one, so what the API shows
    /// is what the database holds.
    #[test]
    fn serde_writes_the_stored_word() {
        let json = |value: serde_json::Value| value.as_str().map(str::to_owned);
        for status in SyncStatus::ALL {
            assert_eq!(json(serde_json::json!(status)).as_deref(), Some(status.as_str()));
        }
        for status in RunStatus::ALL {
            assert_eq!(json(serde_json::json!(status)).as_deref(), Some(status.as_str()));
        }
        for starter in StartedBy::ALL {
            assert_eq!(json(serde_json::json!(starter)).as_deref(), Some(starter.as_str()));
        }
    }

    #[test]
    fn every_word_reads_back_and_an_unknown_one_is_named() {
        for status in InboundStatus::ALL {
            assert_eq!(status.as_str().parse::<InboundStatus>(), Ok(*status));
            assert_eq!(*status, status.as_str());
        }
        assert_eq!(InboundStatus::ALL.len(), 6);
        assert_eq!("Applied".parse::<InboundStatus>(), Err("unknown inbound event status 'Applied'".to_owned()));
        assert_eq!("".parse::<SyncStatus>(), Err("unknown sync status ''".to_owned()));
        assert!(RunStatus::Failed != "finished");
    }
}
