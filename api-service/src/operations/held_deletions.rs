//! Deletes held by the mass-deletion guard, decided by an operator:
//! - released: the record is read back from the integration by the inward
//!   side, and the delete taken in if it is still deleted there (one
//!   restored there meanwhile stays);
//! - discarded: the entity stays, is unlinked from the deleted outside
//!   record and written to the integration again as a new record, so every
//!   side holds it once more.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;
use shared_models::db::outside_deletions::{self, DeletionState, OutsideDeletion, Target};
use shared_models::db::{changes, customers, invoices, sync_links, PgPool};
use shared_models::error::Context;
use shared_models::sync::{EntityRef, Operation, CUSTOMER, INVOICE};
use sync_core::inward::confirm;
use utoipa::ToSchema;

use crate::error::ApiError;

/// Held deletes, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldList {
    pub data: Vec<OutsideDeletionView>,
}

/// What a decision was applied to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    /// How many held deletes it decided.
    pub decided: usize,
    pub data: Vec<OutsideDeletionView>,
}

/// A delete an integration reported, as the guard recorded it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutsideDeletionView {
    pub id: uuid::Uuid,
    #[schema(example = "salesforce")]
    pub integration: String,
    #[schema(example = "customer")]
    pub entity_type: String,
    pub entity_id: uuid::Uuid,
    /// The deleted record's id in the integration.
    pub external_id: String,
    pub state: DeletionState,
    /// The event (or read) that reported it.
    pub event_id: String,
    /// Why it was held.
    pub detail: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<OutsideDeletion> for OutsideDeletionView {
    fn from(row: OutsideDeletion) -> Self {
        let OutsideDeletion { id, integration, entity_type, entity_id, external_id, state, event_id, detail, recorded_at, decided_at } =
            row;
        Self { id, integration, entity_type, entity_id, external_id, state, event_id, detail, recorded_at, decided_at }
    }
}

pub async fn list(pool: &PgPool, integration: Option<&str>, limit: i64) -> Result<HeldList, ApiError> {
    let mut conn = pool.get().await.context("checking out a connection for a request")?;
    let data = outside_deletions::held(&mut conn, integration, limit).await?;
    Ok(HeldList { data: data.into_iter().map(Into::into).collect() })
}

/// Releases or discards held deletes, each with what follows from it, in
/// one transaction.
pub async fn decide(pool: &PgPool, target: Target<'_>, decision: DeletionState) -> Result<Decided, ApiError> {
    let mut conn = pool.get().await.context("checking out a connection for a request")?;
    let decided = conn
        .transaction::<Vec<OutsideDeletion>, ApiError, _>(async |conn| {
            let decided = outside_deletions::decide(conn, target, decision).await?;
            for deletion in &decided {
                follow_up(conn, deletion, decision).await?;
            }
            Ok(decided)
        })
        .await?;
    for deletion in &decided {
        log::info!(
            "held delete {} of {} {} ({} {}): {}",
            deletion.id,
            deletion.entity_type,
            deletion.entity_id,
            deletion.integration,
            deletion.external_id,
            decision.as_str()
        );
    }
    Ok(Decided { decided: decided.len(), data: decided.into_iter().map(Into::into).collect() })
}

async fn follow_up(conn: &mut AsyncPgConnection, deletion: &OutsideDeletion, decision: DeletionState) -> Result<(), ApiError> {
    let (integration, external_id) = (deletion.integration.as_str(), deletion.external_id.as_str());
    if decision == DeletionState::Released {
        return match confirm::release(conn, integration, &deletion.entity_type, external_id, deletion.id).await {
            Ok(_) => Ok(()),
            Err(sync_core::SyncError::Database(e)) => Err(ApiError::Store(e)),
            Err(e) => Err(ApiError::Internal(e.to_string())),
        };
    }
    let Some((entity, version)) = live_entity(conn, deletion).await? else { return Ok(()) };
    sync_links::unlink(conn, integration, &entity).await?;
    changes::record(conn, &[integration.to_owned()], &entity, Operation::Created, version).await?;
    Ok(())
}

/// The entity a discarded delete was about, with its version, if it lives.
async fn live_entity(conn: &mut AsyncPgConnection, deletion: &OutsideDeletion) -> Result<Option<(EntityRef, i64)>, diesel::result::Error> {
    let id = deletion.entity_id;
    Ok(match deletion.entity_type.as_str() {
        CUSTOMER => {
            customers::find_for_update(conn, id).await?.filter(|c| c.deleted_at.is_none()).map(|c| (EntityRef::customer(id), c.version))
        }
        INVOICE => {
            invoices::find_for_update(conn, id).await?.filter(|i| i.deleted_at.is_none()).map(|i| (EntityRef::invoice(id), i.version))
        }
        _ => None,
    })
}
