use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Context, Error};

pub type PgPool = Pool<AsyncPgConnection>;
pub type Conn = Object<AsyncPgConnection>;

/// A pool that connects lazily: a service starts even while PostgreSQL is
/// briefly away. A checkout skips a connection that was closed (PostgreSQL
/// restarted, the network dropped it) or left in a broken transaction, so one
/// broken connection never poisons the requests after it. That check reads
/// the connection's state; the default `SELECT 1` per checkout cost a round
/// trip on every request and every message (see BENCHMARKS.md).
pub fn build_pool(database_url: &str, max_size: u32) -> Result<PgPool, Error> {
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(max_size as usize)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(5)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| Error::Config(format!("DATABASE_URL: cannot build the connection pool: {e}")))
}

/// `SELECT 1` through the pool: what `/ready` asks.
pub async fn ping(pool: &PgPool) -> Result<(), Error> {
    let mut conn = pool.get().await.context("checking out a connection for a ping")?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await.context("pinging the database")?;
    Ok(())
}
