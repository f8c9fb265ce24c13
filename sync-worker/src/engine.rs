use std::marker::PhantomData;
use std::sync::Arc;

use diesel_async::AsyncConnection;
use shared_models::db::{create_attempts, sync_links, PgPool};
use shared_models::sync::{EntityRef, SyncStatus};
use uuid::Uuid;

use crate::{Catalog, Connector, SyncError};

/// What one sync attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synced {
    /// The integration already held this version or a newer one.
    UpToDate,
    /// The entity does not exist locally at all (never created here).
    Unknown,
    /// The integration now holds `version`.
    Pushed { version: i64, external_id: Option<String> },
}

/// Makes one integration agree with the current state of one entity.
pub struct Engine<C: Catalog, K: Connector<C::Record>> {
    pool: PgPool,
    connector: Arc<K>,
    _catalog: PhantomData<fn() -> C>,
}

impl<C: Catalog, K: Connector<C::Record>> Clone for Engine<C, K> {
    fn clone(&self) -> Self {
        Self { pool: self.pool.clone(), connector: self.connector.clone(), _catalog: PhantomData }
    }
}

impl<C: Catalog, K: Connector<C::Record>> Engine<C, K> {
    pub fn new(pool: PgPool, connector: Arc<K>) -> Self {
        Self { pool, connector, _catalog: PhantomData }
    }

    pub fn integration(&self) -> &'static str {
        self.connector.integration()
    }

    /// Pushes the entity's current state. The link row stays locked for the
    /// whole attempt, so workers never race on one entity: a second worker
    /// waits, then sees the version already pushed and does nothing. That is
    /// what keeps an older value from landing after a newer one, and keeps N
    /// local edits to at most N outside writes.
    pub async fn sync(&self, entity_id: Uuid) -> Result<Synced, SyncError> {
        let entity = EntityRef { entity_type: C::ENTITY_TYPE, id: entity_id };
        let integration = self.connector.integration();
        let mut conn = self.pool.get().await.map_err(|e| SyncError::Database(e.to_string()))?;
        conn.transaction::<Synced, SyncError, _>(async |conn| {
            let link = sync_links::lock(conn, integration, &entity).await?;
            let Some(snapshot) = C::load(conn, entity_id).await? else { return Ok(Synced::Unknown) };
            if link.synced_version >= snapshot.version {
                return Ok(Synced::UpToDate);
            }
            let key = |op: &str| format!("catalog-sync:{integration}:{}:{entity_id}:{op}:v{}", C::ENTITY_TYPE, snapshot.version);
            let external_id = match (&link.external_id, snapshot.deleted) {
                (Some(ext), true) => {
                    self.connector.delete(ext, &key("delete")).await?;
                    Some(ext.clone())
                }
                (None, true) => {
                    // Created outside, but the result never recorded? Remove it too.
                    if let Some(ext) = self.find_previous(conn, &entity, &snapshot.record).await? {
                        self.connector.delete(&ext, &key("delete")).await?;
                    }
                    None
                }
                (Some(ext), false) => {
                    self.connector.update(ext, &snapshot.record, &key("update")).await?;
                    Some(ext.clone())
                }
                (None, false) => Some(self.find_or_create(conn, &entity, &snapshot.record, &key("create")).await?),
            };
            let written = (!snapshot.deleted).then(|| C::fingerprint(&snapshot.record));
            sync_links::record_success(conn, integration, &entity, external_id.as_deref(), snapshot.version, written.as_deref()).await?;
            Ok(Synced::Pushed { version: snapshot.version, external_id })
        })
        .await
    }

    /// Never creates twice: first looks for a record a previous attempt made
    /// (by every lookup key any attempt used), and only then creates, after
    /// durably noting the lookup key it creates with.
    async fn find_or_create(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        entity: &EntityRef,
        record: &C::Record,
        key: &str,
    ) -> Result<String, SyncError> {
        if let Some(existing) = self.find_previous(conn, entity, record).await? {
            log::info!("{} {} already exists in {} as {existing}; linking it", entity.entity_type, entity.id, self.integration());
            self.connector.update(&existing, record, &format!("{key}:relink")).await?;
            return Ok(existing);
        }
        // On its own connection: this must survive a rollback of the caller.
        let mut own = self.pool.get().await.map_err(|e| SyncError::Database(e.to_string()))?;
        create_attempts::record(&mut own, self.integration(), entity, &C::lookup_key(record)).await?;
        drop(own);
        self.connector.create(record, key).await
    }

    async fn find_previous(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        entity: &EntityRef,
        record: &C::Record,
    ) -> Result<Option<String>, SyncError> {
        let mut keys = create_attempts::lookup_keys(conn, self.integration(), entity).await?;
        if keys.is_empty() {
            // No create was ever attempted from here: nothing to find.
            return Ok(None);
        }
        let current = C::lookup_key(record);
        if !keys.contains(&current) {
            keys.push(current);
        }
        self.connector.find(entity.id, &keys).await
    }

    /// Notes a failed attempt on the link (shown by the API).
    pub async fn record_failure(&self, entity_id: Uuid, tried_version: i64, error: &SyncError, give_up: bool) {
        let entity = EntityRef { entity_type: C::ENTITY_TYPE, id: entity_id };
        let status = if give_up { SyncStatus::Failed } else { SyncStatus::Pending };
        let result = match self.pool.get().await {
            Ok(mut conn) => sync_links::record_failure(&mut conn, self.integration(), &entity, tried_version, &error.to_string(), status)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            log::error!("could not record the failure of {} {entity_id}: {e}", C::ENTITY_TYPE);
        }
    }
}
