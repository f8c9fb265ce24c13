use diesel::sql_types::{Double, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};

#[derive(diesel::QueryableByName)]
struct Remaining {
    #[diesel(sql_type = Double)]
    #[allow(dead_code)]
    tokens: f64,
}

/// Takes one token from the bucket `name`, which refills at `rate` tokens per
/// second up to `burst`. One atomic statement, so every process sharing the
/// database shares the bucket. Returns false when empty.
pub async fn try_acquire(conn: &mut AsyncPgConnection, name: &str, rate: f64, burst: f64) -> Result<bool, Error> {
    let granted: Vec<Remaining> = diesel::sql_query(
        "INSERT INTO rate_limits AS b (name, tokens, updated_at) VALUES ($1, $3 - 1, clock_timestamp())
         ON CONFLICT (name) DO UPDATE SET
             tokens = LEAST($3, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8 * $2) - 1,
             updated_at = clock_timestamp()
         WHERE LEAST($3, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8 * $2) >= 1
         RETURNING tokens",
    )
    .bind::<Text, _>(name)
    .bind::<Double, _>(rate)
    .bind::<Double, _>(burst)
    .load(conn)
    .await
    .context("taking a rate-limit token")?;
    Ok(!granted.is_empty())
}
