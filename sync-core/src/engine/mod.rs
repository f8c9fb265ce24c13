//! The outward engine: makes one integration agree with one catalog entity.
//!
//! A write whose outcome is unknown (a timeout, a lost answer, a 5xx) may
//! still land later. So every write is journaled (`sync_writes`: its
//! idempotency key and the exact record) before it is sent, and until the
//! integration answers it for certain, the entity's next step is to send
//! that same request again under the same key, never a newer one. If the
//! first one landed, the resend is answered from the key; if it lands after
//! the resend, it is the replay. Only a certain answer settles the journal
//! and lets the next version go out.
//!
//! No lock our API needs is held across a call to the integration: workers
//! serialise on an entity through an advisory lock, and the entity's link
//! row is locked only for the short transactions around each call.

mod answer;
mod outside;
mod plan;

use std::marker::PhantomData;
use std::sync::Arc;

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use shared_models::db::{sync_links, PgPool};
use shared_models::sync::{EntityRef, SyncStatus};
use uuid::Uuid;

use crate::{Catalog, Connector, SyncError};
use plan::Plan;

/// Steps one attempt takes at most (settle a write in doubt, look up, push
/// the newest version...). Newer versions still have messages of their own.
const MAX_STEPS: usize = 8;

/// What one sync attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synced {
    /// The integration already held this version or a newer one.
    UpToDate,
    /// The entity does not exist locally at all (never created here).
    Unknown,
    /// The integration now holds `version`.
    Pushed { version: i64, external_id: Option<String> },
    /// The outside record was deleted there: the inward side reads it back
    /// and takes the delete in (`version` is the deleted one, once known).
    DeletedOutside { version: Option<i64> },
    /// The outside record changed after `version` was made: that later edit
    /// wins, and `version` was not written.
    Superseded { version: i64 },
}

/// Makes one integration agree with the current state of one entity.
pub struct Engine<C: Catalog, K: Connector<C::Record>> {
    pool: PgPool,
    connector: Arc<K>,
    /// Every integration in force: a delete found outside is a change for the others.
    integrations: Vec<String>,
    _catalog: PhantomData<fn() -> C>,
}

impl<C: Catalog, K: Connector<C::Record>> Clone for Engine<C, K> {
    fn clone(&self) -> Self {
        Self { pool: self.pool.clone(), connector: self.connector.clone(), integrations: self.integrations.clone(), _catalog: PhantomData }
    }
}

impl<C: Catalog, K: Connector<C::Record>> Engine<C, K> {
    pub fn new(pool: PgPool, connector: Arc<K>, integrations: Vec<String>) -> Self {
        Self { pool, connector, integrations, _catalog: PhantomData }
    }

    pub fn integration(&self) -> &'static str {
        self.connector.integration()
    }

    pub fn connector(&self) -> &K {
        &self.connector
    }

    fn entity(id: Uuid) -> EntityRef {
        EntityRef { entity_type: C::ENTITY_TYPE, id }
    }

    async fn conn(&self) -> Result<shared_models::db::Conn, SyncError> {
        self.pool.get().await.map_err(|e| SyncError::pool("checking out a connection to sync", e))
    }

    /// Brings the integration to the entity's current state: first settles a
    /// write in doubt, then pushes what is newer. A second worker on the same
    /// entity waits for the first, then finds nothing left to do.
    pub async fn sync(&self, entity_id: Uuid) -> Result<Synced, SyncError> {
        let entity = Self::entity(entity_id);
        let mut guard = self.conn().await?;
        // The lock lives as long as this transaction, and dies with the
        // connection if the worker does: never stuck behind a dead worker.
        guard
            .transaction::<Synced, SyncError, _>(async |guard| {
                lock_entity(guard, self.integration(), &entity).await?;
                self.steps(&entity).await
            })
            .await
    }

    async fn steps(&self, entity: &EntityRef) -> Result<Synced, SyncError> {
        let mut done = None;
        let mut found = None;
        for _ in 0..MAX_STEPS {
            match self.plan(entity, found.take()).await? {
                Plan::Done(outcome) => return Ok(done.unwrap_or(outcome)),
                Plan::LookUp(keys) => found = Some(self.connector.find(entity.id, &keys).await?),
                Plan::Send(write, record, precondition) => {
                    let (outcome, current) = self.send(entity, *write, record, precondition.as_ref()).await?;
                    if current {
                        return Ok(outcome);
                    }
                    done = Some(outcome);
                }
            }
        }
        Ok(done.unwrap_or(Synced::UpToDate))
    }

    /// Notes a failed attempt on the link (shown by the API).
    pub async fn record_failure(&self, entity_id: Uuid, tried_version: i64, error: &SyncError, give_up: bool) {
        let entity = Self::entity(entity_id);
        let status = if give_up { SyncStatus::Failed } else { SyncStatus::Pending };
        // A wait the integration or the catalog asked for (a rate limit, a
        // customer not there yet) is shown, but is no attempt of the change.
        let counts = give_up || !matches!(error, SyncError::Transient { retry_after: Some(_), .. } | SyncError::Missing { .. });
        let why = error.to_string();
        let result = match self.pool.get().await {
            Ok(mut conn) => sync_links::record_failure(&mut conn, self.integration(), &entity, tried_version, &why, status, counts)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            log::error!("could not record the failure of {} {entity_id}: {e}", C::ENTITY_TYPE);
        }
    }
}

/// Serialises the workers of every process on one entity in one integration.
async fn lock_entity(conn: &mut AsyncPgConnection, integration: &str, entity: &EntityRef) -> Result<(), SyncError> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(format!("outward:{integration}:{}:{}", entity.entity_type, entity.id))
        .execute(conn)
        .await?;
    Ok(())
}
