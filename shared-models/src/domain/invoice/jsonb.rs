//! Values stored as one `jsonb` column (an invoice's lines, its metadata):
//! written from and read into their type, so a row never holds a bare
//! `serde_json::Value` between the database and the JSON.

/// For a type that is `Serialize + DeserializeOwned` and derives
/// `AsExpression` and `FromSqlRow` with `#[diesel(sql_type =
/// diesel::sql_types::Jsonb)]`: diesel's `ToSql` and `FromSql` for it.
macro_rules! jsonb_value {
    ($name:ident) => {
        impl diesel::serialize::ToSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
                use std::io::Write;
                // jsonb's binary format: a version byte, then the text.
                out.write_all(&[1])?;
                serde_json::to_writer(out, self)?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg> for $name {
            fn from_sql(value: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let json = <serde_json::Value as diesel::deserialize::FromSql<diesel::sql_types::Jsonb, diesel::pg::Pg>>::from_sql(value)?;
                Ok(serde_json::from_value(json)?)
            }
        }
    };
}

pub(crate) use jsonb_value;
