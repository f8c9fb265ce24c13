use diesel::connection::SimpleConnection;
use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::Error;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// An arbitrary constant shared by every service: whoever holds this advisory
/// lock migrates, the others wait and then find nothing left to do.
const MIGRATION_LOCK_KEY: i64 = 0x6361_7461_6c6f_6701;

/// Applies pending migrations; safe when several services start at once.
/// Returns the versions it applied.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, Error> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| Error::Migration(format!("cannot connect to DATABASE_URL: {e}")))?;
        conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .map_err(|e| Error::Migration(format!("cannot take the migration lock: {e}")))?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(|v| v.to_string()).collect::<Vec<_>>())
            .map_err(|e| Error::Migration(e.to_string()));
        let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
        applied
    })
    .await
    .map_err(|e| Error::Migration(format!("migration task failed: {e}")))?
}
