//! One (catalog × integration) pair's inward side: its [`Source`] and the
//! rules, behind a trait object so that the registry can hold every pair.

use std::marker::PhantomData;
use std::sync::Arc;

use async_trait::async_trait;
use diesel_async::AsyncPgConnection;
use serde_json::Value;

use super::{confirm, rules, DeletionGuard, Envelope, InwardCatalog, Origin, Outcome, RemoteRecord, Source};
use crate::reconcile::{self, Progress, Reconciler, Summary};
use crate::SyncError;

/// The inward side of catalog `C` from the integration `S` reads.
pub struct Inward<C: InwardCatalog, S: Source<C>> {
    source: Arc<S>,
    /// Every integration in force: a change taken in is sent to the others.
    integrations: Vec<String>,
    guard: DeletionGuard,
    catalog: PhantomData<fn() -> C>,
}

impl<C: InwardCatalog, S: Source<C>> Inward<C, S> {
    pub fn new(source: Arc<S>, integrations: Vec<String>, guard: DeletionGuard) -> Self {
        Self { source, integrations, guard, catalog: PhantomData }
    }

    /// The mass-deletion guard's limits for this pair's deletes.
    pub fn guard(&self) -> &DeletionGuard {
        &self.guard
    }

    pub fn source(&self) -> &S {
        &self.source
    }

    pub fn integrations(&self) -> &[String] {
        &self.integrations
    }

    /// Applies a record as the integration holds it now, read at `read_at`
    /// (unix seconds), by the same rules as its events.
    pub async fn apply_listed(
        &self,
        conn: &mut AsyncPgConnection,
        remote: RemoteRecord<C::Remote>,
        read_at: i64,
    ) -> Result<Outcome, SyncError> {
        let envelope = Envelope { id: format!("list_{read_at}"), kind: "listed".into(), created: read_at };
        rules::apply(conn, self, &envelope, remote, Origin::Listed).await
    }
}

/// What a listed record came to, for reconcile's counts.
#[derive(Debug, Clone)]
pub struct Listed {
    pub external_id: String,
    pub outcome: Outcome,
}

/// A pair's inward side, whatever its catalog and integration.
#[async_trait]
pub trait InwardPair: Send + Sync + 'static {
    fn integration(&self) -> &'static str;
    fn entity_type(&self) -> &'static str;
    /// "Stripe customer": how the pair's outside records are named.
    fn outside(&self) -> String;

    /// Applies a stored event of the pair's integration; `None` when the
    /// event is not about the pair's catalog.
    async fn apply_event(&self, conn: &mut AsyncPgConnection, envelope: &Envelope, payload: &Value) -> Result<Option<Outcome>, SyncError>;

    /// Compares the pair's two sides whole and repairs every difference
    /// (see [`crate::reconcile`]).
    async fn reconcile(&self, reconciler: &Reconciler, summary: &mut Summary, progress: &dyn Progress) -> Result<(), SyncError>;
}

#[async_trait]
impl<C: InwardCatalog, S: Source<C>> InwardPair for Inward<C, S> {
    fn integration(&self) -> &'static str {
        self.source.integration()
    }

    fn entity_type(&self) -> &'static str {
        C::ENTITY_TYPE
    }

    fn outside(&self) -> String {
        format!("{} {}", self.source.display_name(), C::NOUN)
    }

    async fn apply_event(&self, conn: &mut AsyncPgConnection, envelope: &Envelope, payload: &Value) -> Result<Option<Outcome>, SyncError> {
        if envelope.kind == confirm::KIND {
            let Some(asked) = confirm::requested(envelope, payload, C::ENTITY_TYPE) else { return Ok(None) };
            let (external_id, released) = (asked.external_id, asked.released);
            // Current as of now, on the integration's clock (its events' clock).
            let read = Envelope { created: self.source.now(), ..envelope.clone() };
            // The record as the integration holds it now, of a change made at
            // an unknown time: applied as a listed state.
            let remote = match self.source.get(external_id).await {
                Ok(remote) => remote,
                Err(SyncError::Missing { .. }) if released => {
                    return super::deleted::released_and_gone(conn, self, &read, external_id).await.map(Some);
                }
                Err(e) => return Err(e),
            };
            let origin = asked.superseded.map_or(Origin::Listed, Origin::Superseded);
            return rules::apply(conn, self, &read, remote, origin).await.map(Some);
        }
        let Some(remote) = self.source.decode(envelope, payload).map_err(SyncError::BadPayload)? else { return Ok(None) };
        rules::apply(conn, self, envelope, remote, Origin::Event).await.map(Some)
    }

    async fn reconcile(&self, reconciler: &Reconciler, summary: &mut Summary, progress: &dyn Progress) -> Result<(), SyncError> {
        reconcile::pair(reconciler, self, summary, progress).await
    }
}
