use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Bool};
use diesel::{Connection, RunQueryDsl};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::Error;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// An arbitrary constant shared by every service: whoever holds this advisory
/// lock migrates, the others wait and then find nothing left to do.
const MIGRATION_LOCK_KEY: i64 = 0x6361_7461_6c6f_6701;

/// How long a starting service waits for PostgreSQL to accept it (down, still
/// starting, restarting, out of connections) before it gives up.
const CONNECT_PATIENCE: Duration = Duration::from_secs(60);

/// Applies pending migrations; safe when several services start at once.
/// Returns the versions it applied.
pub async fn run_migrations(database_url: &str) -> Result<Vec<String>, Error> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = connect(&url)?;
        take_lock(&mut conn)?;
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

/// Connects, waiting out a PostgreSQL that is away for a moment; a refusal
/// that waiting cannot fix (a wrong password or database) fails at once.
fn connect(url: &str) -> Result<AsyncConnectionWrapper<AsyncPgConnection>, Error> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(250);
    loop {
        match AsyncConnectionWrapper::<AsyncPgConnection>::establish(url) {
            Ok(conn) => return Ok(conn),
            Err(e) => {
                let message = e.to_string();
                let lasting = ["authentication failed", "does not exist", "invalid", "password"].iter().any(|m| message.contains(m));
                if lasting || started.elapsed() >= CONNECT_PATIENCE {
                    return Err(Error::Migration(format!("cannot connect to DATABASE_URL: {}", message.trim())));
                }
                log::warn!("PostgreSQL is not accepting us yet, trying again in {pause:?}: {}", message.trim());
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

/// Polls for the lock instead of waiting inside `pg_advisory_lock`: a
/// session blocked in that statement holds a snapshot, and a migration's
/// `CREATE INDEX CONCURRENTLY` waits for every such snapshot to go away,
/// which it never would while the lock holder is that very migration.
fn take_lock(conn: &mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<(), Error> {
    loop {
        let row: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
            .bind::<BigInt, _>(MIGRATION_LOCK_KEY)
            .get_result(conn)
            .map_err(|e| Error::Migration(format!("cannot take the migration lock: {e}")))?;
        if row.locked {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
