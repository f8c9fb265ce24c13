//! The mass-deletion guard. Every delete an integration reports is its
//! positive word, yet many at once is more often an accident (a bulk delete
//! in the wrong view, an import undone, a sync user whose access was cut)
//! than intent, and each one would go on to every other integration. Past a
//! limit, deletes from that integration are held: nothing changes, nothing
//! is lost, they show in `/sync/status` and `/metrics`, and an operator
//! releases or discards them. Once it holds one, it holds every later one
//! of that integration until the held ones are decided: a mass delete does
//! not trickle through a window at a time. Deletes made through our own API
//! never come here.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use shared_models::db::outside_deletions::{self, DeletionState, OutsideDeletion};
use shared_models::db::sync_links;
use shared_models::metrics;
use shared_models::sync::EntityRef;

use crate::SyncError;

/// Below this many deletes in a window the share of linked records is not
/// looked at: three of a test's twenty customers are no mass deletion.
const SHARE_FLOOR: i64 = 10;

/// The guard's limits (DELETION_GUARD_*); a 0 turns its rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletionGuard {
    /// More deletes than this from one integration within `window` are held.
    pub max_per_window: i64,
    pub window: Duration,
    /// More than this share (percent) of the integration's linked records
    /// deleted within `window` are held.
    pub max_percent: i64,
}

impl DeletionGuard {
    pub fn from_settings(sync: &shared_models::config::Sync) -> Self {
        Self {
            max_per_window: sync.deletion_guard_max,
            window: Duration::from_secs(sync.deletion_guard_window_seconds),
            max_percent: sync.deletion_guard_percent,
        }
    }
}

/// Whether a reported delete is taken in now.
pub(super) enum Verdict {
    Apply,
    Hold(String),
}

/// Decides on the delete of `entity` reported by `integration` in event
/// `event_id`, and records it either way.
pub(super) async fn admit(
    conn: &mut AsyncPgConnection,
    guard: &DeletionGuard,
    integration: &str,
    entity: &EntityRef,
    external_id: &str,
    event_id: &str,
) -> Result<Verdict, SyncError> {
    // One decision at a time per integration, across processes: two
    // deletes racing past the limit would both see room for one more.
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("deletion-guard:{integration}"))
        .execute(conn)
        .await?;
    if let Some(open) = outside_deletions::open_for(conn, integration, entity).await? {
        if open.state == DeletionState::Released {
            outside_deletions::mark_applied(conn, open.id).await?;
            return Ok(Verdict::Apply);
        }
        return Ok(Verdict::Hold(format!("its delete is held already ({})", open.id)));
    }
    let why = hold_because(conn, guard, integration, entity).await?;
    let state = if why.is_some() { DeletionState::Held } else { DeletionState::Applied };
    let mut row = OutsideDeletion::new(integration, entity, external_id, state, event_id);
    row.detail = why.clone();
    outside_deletions::insert(conn, &row).await?;
    Ok(match why {
        Some(why) => {
            metrics::DELETIONS_HELD.with_label_values(&[integration]).inc();
            log::warn!("{} {}: the delete reported by {integration} is held ({}): {why}", entity.entity_type, entity.id, row.id);
            Verdict::Hold(format!("{why} (held deletion {})", row.id))
        }
        None => Verdict::Apply,
    })
}

async fn hold_because(
    conn: &mut AsyncPgConnection,
    guard: &DeletionGuard,
    integration: &str,
    entity: &EntityRef,
) -> Result<Option<String>, SyncError> {
    if outside_deletions::any_held(conn, integration).await? {
        return Ok(Some(format!("deletes from {integration} are held until an operator decides on the ones held already")));
    }
    let window = chrono::Duration::from_std(guard.window).unwrap_or(chrono::Duration::MAX);
    let since = chrono::Utc::now().checked_sub_signed(window).unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let this_one = outside_deletions::applied_since(conn, integration, since).await? + 1;
    let seconds = guard.window.as_secs();
    if guard.max_per_window > 0 && this_one > guard.max_per_window {
        return Ok(Some(format!("more than {} deletes from {integration} within {seconds} s", guard.max_per_window)));
    }
    if guard.max_percent > 0 && this_one > SHARE_FLOOR {
        let linked = sync_links::count_linked(conn, integration, entity.entity_type).await?;
        if this_one * 100 > guard.max_percent * linked {
            return Ok(Some(format!(
                "{this_one} of {linked} linked {}s deleted by {integration} within {seconds} s (more than {} %)",
                entity.entity_type, guard.max_percent
            )));
        }
    }
    Ok(None)
}
