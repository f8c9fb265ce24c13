//! The entity's next step, decided in one short transaction holding its
//! link row: send again the write in doubt, look the entity up outside,
//! journal and send a new write, or nothing.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use shared_models::db::create_attempts;
use shared_models::db::sync_links::{self, SyncLink};
use shared_models::db::sync_writes::{self, SyncWrite, WriteOperation};
use shared_models::sync::EntityRef;

use super::{Engine, Synced};
use crate::{Catalog, Connector, Precondition, Readiness, SyncError};

pub(super) enum Plan<R> {
    Done(Synced),
    /// Look for an outside record carrying our id, by these lookup keys.
    LookUp(Vec<String>),
    /// Send this journaled write (again, if it was sent before), on its
    /// precondition (an update's).
    Send(Box<SyncWrite>, R, Option<Precondition>),
}

impl<C: Catalog, K: Connector<C::Record>> Engine<C, K> {
    /// `found`: the answer of the lookup the previous step asked for.
    pub(super) async fn plan(&self, entity: &EntityRef, found: Option<Option<String>>) -> Result<Plan<C::Record>, SyncError> {
        let mut conn = self.conn().await?;
        conn.transaction::<Plan<C::Record>, SyncError, _>(async |conn| {
            let integration = self.integration();
            let mut link = sync_links::lock(conn, integration, entity).await?;
            if let Some(write) = sync_writes::find(conn, integration, entity).await? {
                if let Some(plan) = self.in_doubt(conn, entity, write, &found, &link).await? {
                    return Ok(plan);
                }
                // Settled here: read what the link holds now.
                link = sync_links::lock(conn, integration, entity).await?;
            }
            self.next_write(conn, entity, link, &found).await
        })
        .await
    }

    /// The write in doubt is sent again, unless a lookup showed that it
    /// landed (then it is settled here and `None` says: plan the next one).
    /// A create is looked up first: the key covers a create still on its
    /// way, the lookup one that landed after its key was forgotten (Stripe
    /// keeps keys for 24 hours) or where keys are not honoured at all.
    async fn in_doubt(
        &self,
        conn: &mut AsyncPgConnection,
        entity: &EntityRef,
        write: SyncWrite,
        found: &Option<Option<String>>,
        link: &SyncLink,
    ) -> Result<Option<Plan<C::Record>>, SyncError> {
        if write.operation == WriteOperation::Create && !self.connector.create_resumes() {
            match found {
                None => return Ok(Some(Plan::LookUp(self.lookup_keys(conn, entity, None).await?))),
                Some(Some(external_id)) => {
                    log::info!(
                        "{} {}: the create in doubt since {} had landed, as {external_id}",
                        entity.entity_type,
                        entity.id,
                        write.created_at
                    );
                    self.settle_written(conn, entity, &write, Some(external_id)).await?;
                    return Ok(None);
                }
                Some(None) => {}
            }
        }
        match serde_json::from_value(write.request.clone()) {
            Ok(record) => {
                let precondition = precondition(&write, link);
                Ok(Some(Plan::Send(Box::new(write), record, precondition)))
            }
            Err(e) => {
                // Written by a version that shaped records otherwise: it cannot
                // be sent again as it was, and must not block the entity.
                log::error!("{} {}: dropping a journaled write that cannot be read ({e})", entity.entity_type, entity.id);
                sync_writes::settle(conn, self.integration(), entity).await?;
                Ok(None)
            }
        }
    }

    /// Journals the write that brings the integration to the entity's
    /// current version, if it lacks it. `link`: locked by the caller.
    async fn next_write(
        &self,
        conn: &mut AsyncPgConnection,
        entity: &EntityRef,
        link: SyncLink,
        found: &Option<Option<String>>,
    ) -> Result<Plan<C::Record>, SyncError> {
        let integration = self.integration();
        let Some(mut snapshot) = C::load(conn, entity.id).await? else { return Ok(Plan::Done(Synced::Unknown)) };
        if link.synced_version >= snapshot.version {
            return Ok(Plan::Done(Synced::UpToDate));
        }
        if !snapshot.deleted {
            if let Readiness::Wait { why, retry_after } = C::prepare(conn, integration, &mut snapshot.record).await? {
                return Err(SyncError::Transient { message: why, retry_after: Some(retry_after) });
            }
        }
        let external_id = match (link.external_id.clone(), found) {
            (Some(linked), _) => Some(linked),
            (None, Some(Some(found))) => {
                log::info!("{} {} already exists in {integration} as {found}; linking it", entity.entity_type, entity.id);
                sync_links::adopt(conn, integration, entity, found).await?;
                Some(found.clone())
            }
            (None, _) => None,
        };
        let operation = match (&external_id, snapshot.deleted) {
            (Some(_), true) => WriteOperation::Delete,
            (Some(_), false) => WriteOperation::Update,
            (None, deleted) => {
                let tried = create_attempts::lookup_keys(conn, integration, entity).await?;
                if !tried.is_empty() && found.is_none() {
                    // A create was tried before and never recorded: it may exist.
                    return Ok(Plan::LookUp(self.lookup_keys(conn, entity, Some(&snapshot.record)).await?));
                }
                if deleted {
                    // Nothing outside stands for it: nothing to delete.
                    let version = snapshot.version;
                    sync_links::record_written(conn, integration, entity, None, version, None, version).await?;
                    return Ok(Plan::Done(Synced::Pushed { version, external_id: None }));
                }
                create_attempts::record(conn, integration, entity, &C::lookup_key(&snapshot.record)).await?;
                WriteOperation::Create
            }
        };
        let write = SyncWrite {
            integration: integration.to_owned(),
            entity_type: entity.entity_type.to_owned(),
            entity_id: entity.id,
            operation,
            entity_version: snapshot.version,
            idempotency_key: key(integration, entity, operation, snapshot.version),
            external_id,
            request: serde_json::to_value(&snapshot.record)
                .map_err(|e| SyncError::Permanent { message: format!("cannot journal {}: {e}", entity.id) })?,
            fingerprint: (!snapshot.deleted).then(|| C::fingerprint(&snapshot.record)),
            sends: 0,
            last_error: None,
            created_at: chrono::Utc::now(),
            last_sent_at: None,
            // Our own last write was stamped outside before its answer came:
            // only a change after both it and this edit beats this edit.
            unmodified_since: (operation == WriteOperation::Update)
                .then(|| link.synced_at.map_or(snapshot.updated_at, |at| at.max(snapshot.updated_at))),
        };
        sync_writes::insert(conn, &write).await?;
        let precondition = precondition(&write, &link);
        Ok(Plan::Send(Box::new(write), snapshot.record, precondition))
    }

    /// Every lookup key any create of the entity was tried with, and the
    /// current one.
    async fn lookup_keys(
        &self,
        conn: &mut AsyncPgConnection,
        entity: &EntityRef,
        current: Option<&C::Record>,
    ) -> Result<Vec<String>, SyncError> {
        let mut keys = create_attempts::lookup_keys(conn, self.integration(), entity).await?;
        if let Some(current) = current.map(C::lookup_key).filter(|k| !keys.contains(k)) {
            keys.push(current);
        }
        Ok(keys)
    }
}

/// An update's precondition: its journaled time, and what our last
/// answered write left outside (the link, locked by the caller; while a
/// write is in doubt nothing else is written, so it still says so).
fn precondition(write: &SyncWrite, link: &SyncLink) -> Option<Precondition> {
    let ours = link.pushed_fingerprint.clone().filter(|_| link.pushed_version > 0).map(|fp| (link.pushed_version, fp));
    write.unmodified_since.map(|since| Precondition { since, ours })
}

/// Unique per journaled write: a resend reuses the journaled key, and a
/// write made again later (a reconcile that found Stripe holding something
/// else) is a new write, not a replay of the old one's answer.
fn key(integration: &str, entity: &EntityRef, operation: WriteOperation, version: i64) -> String {
    let nonce = &uuid::Uuid::new_v4().simple().to_string()[..12];
    format!("catalog-sync:{integration}:{}:{}:{}:v{version}:{nonce}", entity.entity_type, entity.id, operation.as_str())
}
