//! What a reconcile found and did, as recorded with its run in
//! `reconcile_runs.summary`: written by the service that runs reconciles,
//! read by the API that lists them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Starting,
    /// Reading an integration's list of records. (The JSON names keep the
    /// words of when Stripe was the only integration, for existing clients.)
    #[serde(rename = "stripe_list")]
    RemoteList,
    /// Reading linked entities the list did not show.
    #[serde(rename = "stripe_missing")]
    RemoteMissing,
    /// Comparing the local catalog with what the integration holds.
    Local,
    Done,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checked {
    /// Outside records read (JSON `stripe`, its name from when Stripe was
    /// the only integration).
    #[serde(rename = "stripe")]
    pub remote: u64,
    /// Local customers compared (deleted ones included).
    pub local: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Changes {
    pub created: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// What a reconcile found and did (or, in a dry run, would do). Stored in
/// `reconcile_runs` as it goes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub dry_run: bool,
    pub phase: Phase,
    pub checked: Checked,
    /// Changes made to the catalog from the integrations' state.
    pub catalog: Changes,
    /// Outside records linked to the local entity with its key (email).
    pub linked: u64,
    /// Changes queued for the integrations (the worker writes them): local
    /// changes they lack, and entities on which one was found holding
    /// something other than the catalog's version while the link said it
    /// was synced. JSON `stripe`, its name from when Stripe was the only
    /// integration.
    #[serde(rename = "stripe")]
    pub remote: Changes,
    /// Entities deleted here by an event the integration does not confirm
    /// (it lists the record live): brought back with its values.
    #[serde(default)]
    pub restored: u64,
    /// Outside records that break a local rule, kept in `/sync/conflicts`.
    pub conflicts: u64,
    /// Linked entities whose outside record the integration neither lists
    /// nor says was deleted (hidden by sharing, another account, purged from
    /// its recycle bin): kept, and shown in `/sync/conflicts`. Nothing is
    /// deleted on inference.
    #[serde(default)]
    pub missing: u64,
    /// Deletes the mass-deletion guard held for an operator
    /// (`/sync/held-deletions`).
    #[serde(default)]
    pub held: u64,
    /// Entities on which both sides already agreed.
    pub unchanged: u64,
}
