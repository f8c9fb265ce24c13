use std::time::Duration;

use shared_models::db::{rate_limits, PgPool};

use crate::SyncError;

/// A calls-per-second limit shared by every worker process through
/// PostgreSQL: Stripe limits the account, not one process, so three workers
/// together must stay under the limit one worker would.
///
/// The burst is a fifth of a second's calls, not a whole second's: calls
/// leave here evenly spaced but reach Stripe bunched by network jitter, and
/// with a full second of burst spent, Stripe's own bucket (the same size as
/// its rate) would be empty and answer those bunches with 429s.
#[derive(Clone)]
pub struct SharedRateLimit {
    pool: PgPool,
    name: String,
    per_second: f64,
    burst: f64,
}

impl SharedRateLimit {
    /// `None` when `per_second` is 0 (limit off).
    pub fn new(pool: PgPool, name: &str, per_second: u32) -> Option<Self> {
        let per_second = f64::from(per_second);
        (per_second > 0.0).then(|| Self { pool, name: name.to_owned(), per_second, burst: (per_second / 5.0).max(1.0) })
    }

    /// Waits until a call may go out.
    pub async fn acquire(&self) -> Result<(), SyncError> {
        let pause = Duration::from_secs_f64(1.0 / self.per_second).min(Duration::from_millis(100));
        loop {
            let granted = {
                let mut conn = self.pool.get().await.map_err(|e| SyncError::pool("checking out a connection for the rate limit", e))?;
                rate_limits::try_acquire(&mut conn, &self.name, self.per_second, self.burst).await?
            };
            if granted {
                return Ok(());
            }
            tokio::time::sleep(pause.mul_f64(rand::random_range(0.5..=1.0))).await;
        }
    }
}
