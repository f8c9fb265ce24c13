use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};
use crate::schema::poll_cursors;

/// Where the poller `name` reads from next (unix seconds), if it ever ran.
pub async fn get(conn: &mut AsyncPgConnection, name: &str) -> Result<Option<i64>, Error> {
    poll_cursors::table.find(name).select(poll_cursors::created_from).first(conn).await.optional().context("reading a poll cursor")
}

/// Moves the cursor forward only: two pollers racing never move it back.
pub async fn advance(conn: &mut AsyncPgConnection, name: &str, created_from: i64) -> Result<(), Error> {
    diesel::insert_into(poll_cursors::table)
        .values((poll_cursors::name.eq(name), poll_cursors::created_from.eq(created_from)))
        .on_conflict(poll_cursors::name)
        .do_update()
        .set((
            poll_cursors::created_from
                .eq(diesel::dsl::sql::<diesel::sql_types::BigInt>("GREATEST(poll_cursors.created_from, excluded.created_from)")),
            poll_cursors::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
        .context("saving a poll cursor")?;
    Ok(())
}
