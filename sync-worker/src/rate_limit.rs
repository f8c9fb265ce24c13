use std::time::Duration;

use shared_models::db::{rate_limits, PgPool};

use crate::SyncError;

/// A calls-per-second limit shared by every worker process through
/// PostgreSQL: Stripe limits the account, not one process, so three workers
/// together must stay under the limit one worker would.
#[derive(Clone)]
pub struct SharedRateLimit {
    pool: PgPool,
    name: String,
    per_second: f64,
}

impl SharedRateLimit {
    /// `None` when `per_second` is 0 (limit off).
    pub fn new(pool: PgPool, name: &str, per_second: u32) -> Option<Self> {
        (per_second > 0).then(|| Self { pool, name: name.to_owned(), per_second: f64::from(per_second) })
    }

    /// Waits until a call may go out.
    pub async fn acquire(&self) -> Result<(), SyncError> {
        let pause = Duration::from_secs_f64(1.0 / self.per_second).min(Duration::from_millis(100));
        loop {
            let granted = {
                let mut conn = self.pool.get().await.map_err(|e| SyncError::Database(e.to_string()))?;
                rate_limits::try_acquire(&mut conn, &self.name, self.per_second).await?
            };
            if granted {
                return Ok(());
            }
            tokio::time::sleep(pause.mul_f64(rand::random_range(0.5..=1.0))).await;
        }
    }
}
