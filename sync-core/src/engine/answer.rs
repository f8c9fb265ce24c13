//! A journaled write sent, and what its answer means:
//! - done: the journal is settled and the link records what the
//!   integration now holds;
//! - gone, missing or merged: what the integration said of the outside
//!   record instead; none of it deletes anything here (see `outside`);
//! - refused for certain (a 4xx): the write did not happen; the journal is
//!   settled and the change fails visibly;
//! - superseded (a conditional update refused, HTTP 412): the outside record
//!   changed after this version was made, so that edit is the later one and
//!   wins. The write did not happen; the journal is settled, the link shows
//!   why, and the inward side brings the outside edit in. A newer local
//!   version, if any, is tried next, on its own condition;
//! - unknown (timeout, network, 409, 429, 5xx): the write may still land.
//!   It stays journaled and is sent again, under the same key, next time;
//! - unsettled (a failure kept under the key, Stripe's saved 5xx): in doubt
//!   as well, and sent again under a new key derived from the journal.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use shared_models::db::sync_writes::{self, SyncWrite, WriteOperation};
use shared_models::db::{sync_conflicts, sync_links};
use shared_models::sync::EntityRef;

use super::{Engine, Synced};
use crate::{Catalog, Connector, Precondition, SyncError};

impl<C: Catalog, K: Connector<C::Record>> Engine<C, K> {
    /// What the write achieved, and whether the integration now holds the
    /// entity's current state (nothing left to do).
    pub(super) async fn send(
        &self,
        entity: &EntityRef,
        write: SyncWrite,
        record: C::Record,
        precondition: Option<&Precondition>,
    ) -> Result<(Synced, bool), SyncError> {
        let (operation, version, key) = (write.operation, write.entity_version, write.idempotency_key.as_str());
        if write.sends > 0 {
            log::info!(
                "{} {}: sending the {} of version {version} again under its key ({} earlier send(s) without a certain answer)",
                entity.entity_type,
                entity.id,
                operation.as_str(),
                write.sends
            );
        }
        let answer = match (operation, write.external_id.as_deref()) {
            (WriteOperation::Create, _) => self.connector.create(&record, key).await.map(Some),
            (WriteOperation::Update, Some(target)) => {
                self.connector.update(target, &record, key, precondition).await.map(|()| Some(target.to_owned()))
            }
            (WriteOperation::Delete, Some(target)) => self.connector.delete(target, key).await.map(|()| Some(target.to_owned())),
            (_, None) => Err(SyncError::Permanent { message: format!("the journaled {} names no outside record", operation.as_str()) }),
        };
        match answer {
            Ok(external_id) => self.written(entity, &write, external_id.as_deref()).await,
            Err(SyncError::Gone { message }) => Ok((self.gone(entity, &write, &message).await?, true)),
            Err(SyncError::Missing { message }) => Err(self.missing(entity, &write, &message).await),
            Err(SyncError::Merged { message, into: other } | SyncError::Matched { message, existing: other }) => {
                self.relink(entity, &write, &other, &message).await?;
                // Linked to the record it stands for there: plan again.
                Ok((Synced::UpToDate, false))
            }
            Err(error @ SyncError::Rejected { .. }) => {
                self.refused(entity).await?;
                Err(error)
            }
            Err(SyncError::Superseded { message }) => self.superseded(entity, &write, &message).await,
            Err(SyncError::Unsettled { message }) => {
                self.rekey(entity, &write, &message).await;
                Err(SyncError::Transient { message, retry_after: None })
            }
            Err(error @ SyncError::Permanent { .. }) => {
                self.refused(entity).await?;
                Err(error)
            }
            Err(error) => {
                self.still_in_doubt(entity, &error).await;
                Err(error)
            }
        }
    }

    async fn written(&self, entity: &EntityRef, write: &SyncWrite, external_id: Option<&str>) -> Result<(Synced, bool), SyncError> {
        let mut conn = self.conn().await?;
        let current = conn
            .transaction::<bool, SyncError, _>(async |conn| {
                // Locked before the entity is read: an edit committing
                // meanwhile is then seen, and the link not marked synced.
                sync_links::lock(conn, self.integration(), entity).await?;
                self.settle_written(conn, entity, write, external_id).await
            })
            .await?;
        Ok((Synced::Pushed { version: write.entity_version, external_id: external_id.map(str::to_owned) }, current))
    }

    /// The integration holds what `write` sent: recorded on the link, and the
    /// journal settled, in the caller's transaction. True when that is the
    /// entity's current version.
    pub(super) async fn settle_written(
        &self,
        conn: &mut AsyncPgConnection,
        entity: &EntityRef,
        write: &SyncWrite,
        external_id: Option<&str>,
    ) -> Result<bool, SyncError> {
        let current = C::load(conn, entity.id).await?.map_or(write.entity_version, |s| s.version);
        let integration = self.integration();
        let fingerprint = write.fingerprint.as_deref();
        sync_links::record_written(conn, integration, entity, external_id, write.entity_version, fingerprint, current).await?;
        sync_writes::settle(conn, integration, entity).await?;
        if let Some(external_id) = external_id {
            // The record took a write: a problem found with it earlier is over.
            sync_conflicts::resolve(conn, integration, entity.entity_type, external_id).await?;
        }
        Ok(write.entity_version >= current)
    }

    async fn superseded(&self, entity: &EntityRef, write: &SyncWrite, why: &str) -> Result<(Synced, bool), SyncError> {
        let mut conn = self.conn().await?;
        let integration = self.integration();
        let version = write.entity_version;
        let current = conn
            .transaction::<bool, SyncError, _>(async |conn| {
                sync_links::lock(conn, integration, entity).await?;
                sync_writes::settle(conn, integration, entity).await?;
                let note = format!("version {version} not written: {why}; the later edit there wins and is taken in");
                sync_links::note_superseded(conn, integration, entity, version, &note).await?;
                if let Some(external_id) = write.external_id.as_deref() {
                    crate::inward::confirm::superseded(conn, integration, C::ENTITY_TYPE, external_id, &write.idempotency_key, version)
                        .await?;
                }
                Ok(C::load(conn, entity.id).await?.is_none_or(|s| s.version <= version))
            })
            .await?;
        log::info!("{} {}: {why}; version {version} is superseded by the later edit in {integration}", entity.entity_type, entity.id);
        Ok((Synced::Superseded { version }, current))
    }

    async fn refused(&self, entity: &EntityRef) -> Result<(), SyncError> {
        let mut conn = self.conn().await?;
        sync_writes::settle(&mut conn, self.integration(), entity).await?;
        Ok(())
    }

    /// The key the write was sent under holds a failure the integration
    /// replays: the next send goes under `{key}:r{n}`. Best effort: should
    /// it not be noted, the next send gets the replayed failure and comes
    /// here again.
    async fn rekey(&self, entity: &EntityRef, write: &SyncWrite, why: &str) {
        let next = sync_writes::next_key(&write.idempotency_key);
        let noted = match self.pool.get().await {
            Ok(mut conn) => sync_writes::rekey(&mut conn, self.integration(), entity, &write.idempotency_key, &next, why)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match noted {
            Ok(()) => log::info!(
                "{} {}: {why}; the answer is kept under its key, so the write goes again under {next}",
                entity.entity_type,
                entity.id
            ),
            Err(e) => log::warn!("could not give the write of {} {} a new key: {e}", entity.entity_type, entity.id),
        }
    }

    /// Best effort: the journal keeps the write either way; this only shows
    /// how often it was sent and why it is still in doubt.
    async fn still_in_doubt(&self, entity: &EntityRef, error: &SyncError) {
        let noted = match self.pool.get().await {
            Ok(mut conn) => sync_writes::sent(&mut conn, self.integration(), entity, &error.to_string()).await.map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = noted {
            log::warn!("could not note the unanswered write of {} {}: {e}", entity.entity_type, entity.id);
        }
    }
}
