//! Operating the sync: dead letters, held deletes, reconcile runs and API keys. Used by the HTTP
//! endpoints under `/sync` and by the `api-service` commands alike.

pub mod api_keys;
pub mod dead_letters;
pub mod held_deletions;
pub mod queues;
pub mod reconcile_runs;
