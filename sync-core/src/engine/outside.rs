//! What an integration said of the outside record instead of taking a
//! write, none of which deletes anything here:
//! - deleted there: the inward side is asked to read the record back and
//!   take the delete in (see `inward::confirm`);
//! - not found, and not said to be deleted: a problem for a person to look
//!   at, shown on the record; the change waits and is tried again;
//! - merged into another record, or a duplicate of one already there: the
//!   entity is linked to that one instead, unless another entity stands for
//!   it already (then both are kept, as a visible conflict).

use serde_json::json;
use shared_models::db::sync_conflicts::{self, NewSyncConflict};
use shared_models::db::sync_links;
use shared_models::db::sync_writes::{self, SyncWrite, WriteOperation};
use shared_models::sync::EntityRef;

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::{Engine, Synced};
use crate::inward::confirm;
use crate::{Catalog, Connector, SyncError};

impl<C: Catalog, K: Connector<C::Record>> Engine<C, K> {
    /// The integration says the record was deleted there. The write did not
    /// happen; the delete comes in through the inward side.
    pub(super) async fn gone(&self, entity: &EntityRef, write: &SyncWrite, why: &str) -> Result<Synced, SyncError> {
        let integration = self.integration();
        if write.operation == WriteOperation::Create {
            // A create never meets a deleted record: whatever said so is
            // no word about this entity.
            return Err(self.missing(entity, write, why).await);
        }
        let Some(external_id) = write.external_id.as_deref() else { return Err(self.missing(entity, write, why).await) };
        let mut conn = self.conn().await?;
        conn.transaction::<(), SyncError, _>(async |conn| {
            sync_links::lock(conn, integration, entity).await?;
            sync_writes::settle(conn, integration, entity).await?;
            confirm::request(conn, integration, C::ENTITY_TYPE, external_id, &write.idempotency_key, why).await?;
            let note = format!("{why}; the delete is read back from {integration} and taken in by the inward side");
            sync_links::note_superseded(conn, integration, entity, write.entity_version, &note).await?;
            Ok(())
        })
        .await?;
        log::info!("{} {}: {why}; the inward side reads it back and takes the delete in", entity.entity_type, entity.id);
        Ok(Synced::DeletedOutside { version: None })
    }

    /// Not found, and not deleted as far as the integration says: the write
    /// did not happen (settled), the problem is recorded on the outside
    /// record, and the change waits ([`SyncError::Missing`]).
    pub(super) async fn missing(&self, entity: &EntityRef, write: &SyncWrite, why: &str) -> SyncError {
        let recorded = async {
            let mut conn = self.conn().await?;
            conn.transaction::<(), SyncError, _>(async |conn| {
                sync_links::lock(conn, self.integration(), entity).await?;
                sync_writes::settle(conn, self.integration(), entity).await?;
                if let Some(external_id) = write.external_id.as_deref() {
                    self.problem(conn, entity, external_id, why, write).await?;
                }
                Ok(())
            })
            .await
        };
        match recorded.await {
            Ok(()) => SyncError::Missing { message: why.to_owned() },
            Err(e) => e,
        }
    }

    /// Stands for `into` there (merged into it, or a duplicate of it): linked
    /// to it; the caller plans again (the write goes to `into`). Another
    /// entity linked to `into` already means two entities for one person:
    /// both are kept, and the problem is recorded ([`SyncError::Missing`]:
    /// it waits for a person).
    pub(super) async fn relink(&self, entity: &EntityRef, write: &SyncWrite, into: &str, why: &str) -> Result<(), SyncError> {
        let integration = self.integration();
        let mut conn = self.conn().await?;
        let relinked = conn
            .transaction::<Option<String>, SyncError, _>(async |conn| {
                sync_links::lock(conn, integration, entity).await?;
                sync_writes::settle(conn, integration, entity).await?;
                match sync_links::find_by_external(conn, integration, entity.entity_type, into).await? {
                    Some(other) if other.entity_id != entity.id => {
                        let problem = format!(
                            "{why}: {into} stands for {} {} already; both are kept and nothing is deleted \
                             (merge them here, or undo the merge there)",
                            entity.entity_type, other.entity_id
                        );
                        let loser = write.external_id.as_deref().unwrap_or(into);
                        self.problem(conn, entity, loser, &problem, write).await?;
                        Ok(Some(problem))
                    }
                    _ => {
                        sync_links::relink(conn, integration, entity, into).await?;
                        Ok(None)
                    }
                }
            })
            .await?;
        match relinked {
            Some(problem) => Err(SyncError::Missing { message: problem }),
            None => {
                log::info!("{} {}: {why}; linked to {into} instead", entity.entity_type, entity.id);
                Ok(())
            }
        }
    }

    /// A problem with the outside record for a person to look at, shown with
    /// the entity and in `/sync/status` (until a write to it succeeds).
    async fn problem(
        &self,
        conn: &mut AsyncPgConnection,
        entity: &EntityRef,
        external_id: &str,
        why: &str,
        write: &SyncWrite,
    ) -> Result<(), SyncError> {
        let remote = json!({"id": external_id, "read": "not found"});
        let conflict = NewSyncConflict {
            integration: self.integration(),
            entity_type: entity.entity_type,
            external_id,
            entity_id: Some(entity.id),
            problem: why,
            remote: &remote,
            event_id: &format!("write:{}", write.idempotency_key),
            event_created: chrono::Utc::now().timestamp(),
        };
        sync_conflicts::upsert(conn, &conflict).await?;
        Ok(())
    }
}
