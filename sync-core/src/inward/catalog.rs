//! What the inward rules ask of a catalog: its entities locked and read,
//! an outside record's values checked against its rules, and the writes
//! that apply an outside change. It names no catalog; `catalogs/` does.

use std::future::Future;

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::{Catalog, SyncError};

/// A catalog entity as the inward rules see it.
#[derive(Debug, Clone)]
pub struct Local<R> {
    pub id: Uuid,
    pub version: i64,
    pub deleted: bool,
    /// When it was last changed here: a later outside change wins over it.
    pub updated_at: DateTime<Utc>,
    pub record: R,
}

/// An entity, as reconcile's local phase pages through them.
#[derive(Debug, Clone, Copy)]
pub struct Version {
    pub id: Uuid,
    pub version: i64,
    pub deleted: bool,
}

/// A catalog that takes changes from outside.
pub trait InwardCatalog: Catalog {
    /// The synced fields as an outside record holds them, unchecked.
    type Remote: Send + Sync + Clone + 'static;
    /// Those fields as the catalog accepts them.
    type Accepted: Send + Sync;

    /// What people call one entity ("customer").
    const NOUN: &'static str;
    /// The field that no two live entities share ("email"): an outside
    /// record unknown here is linked by it to an entity that never reached
    /// the integration.
    const KEY: &'static str;

    /// Fills in the local entities the outside values name by the
    /// integration's ids (an invoice's customer), by their links there;
    /// `accept` then refuses values naming one that is not linked.
    fn resolve(
        _conn: &mut AsyncPgConnection,
        _integration: &str,
        _remote: &mut Self::Remote,
    ) -> impl Future<Output = Result<(), SyncError>> + Send {
        async { Ok(()) }
    }

    /// Keeps the values the integration owns and the catalog shows read
    /// only (an invoice's number and totals) as the newest state taken into
    /// account reports them, without a new version: they are nobody's edit
    /// and go nowhere else. Called for every such state of a known entity.
    fn mirror(_conn: &mut AsyncPgConnection, _id: Uuid, _remote: &Self::Remote) -> impl Future<Output = Result<(), SyncError>> + Send {
        async { Ok(()) }
    }

    /// The entity with its row locked until the transaction ends.
    fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> impl Future<Output = Result<Option<Local<Self::Record>>, SyncError>> + Send;

    /// The outside values as the catalog accepts them, or why not.
    fn accept(remote: &Self::Remote) -> Result<Self::Accepted, String>;

    /// Whether the outside values are exactly the entity's.
    fn holds(remote: &Self::Remote, local: &Self::Record) -> bool;

    /// Whether the accepted values are exactly the entity's.
    fn agrees(accepted: &Self::Accepted, local: &Self::Record) -> bool;

    /// Fingerprint of the outside values, comparable with
    /// [`Catalog::fingerprint`]; `None` when they are incomplete.
    fn remote_fingerprint(remote: &Self::Remote) -> Option<String>;

    /// The live entity other than `except` that holds the values' unique
    /// key (a customer's email): the same entity, or a conflict.
    fn owner(
        conn: &mut AsyncPgConnection,
        accepted: &Self::Accepted,
        except: Option<Uuid>,
    ) -> impl Future<Output = Result<Option<Uuid>, SyncError>> + Send;

    /// Why values whose key `owner` holds are refused.
    fn owned_problem(accepted: &Self::Accepted, owner: Uuid) -> String;

    /// A new entity (keeping `id` when the outside record carries one of
    /// ours): its id and version.
    fn insert(
        conn: &mut AsyncPgConnection,
        id: Option<Uuid>,
        accepted: &Self::Accepted,
    ) -> impl Future<Output = Result<(Uuid, i64), SyncError>> + Send;

    /// The entity changed to the accepted values: its new version.
    fn update(
        conn: &mut AsyncPgConnection,
        local: &Local<Self::Record>,
        accepted: &Self::Accepted,
    ) -> impl Future<Output = Result<i64, SyncError>> + Send;

    /// A deleted entity brought back with the accepted values: its new
    /// version (a delete the integration never made; see `listed`).
    fn restore(conn: &mut AsyncPgConnection, id: Uuid, accepted: &Self::Accepted) -> impl Future<Output = Result<i64, SyncError>> + Send;

    /// The entity deleted (softly, it keeps its id): its new version.
    fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> impl Future<Output = Result<i64, SyncError>> + Send;

    /// Live entities linked in `integration` after `after`, by id: (id,
    /// outside id).
    fn linked_live(
        conn: &mut AsyncPgConnection,
        integration: &str,
        after: Option<Uuid>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<(Uuid, String)>, SyncError>> + Send;

    /// Every entity after `after` (deleted ones too), by id.
    fn page(conn: &mut AsyncPgConnection, after: Option<Uuid>, limit: i64) -> impl Future<Output = Result<Vec<Version>, SyncError>> + Send;
}
