//! Operating the sync: dead letters, reconcile runs and API keys. Used by the HTTP
//! endpoints under `/sync` and by the `api-service` commands alike.

pub mod api_keys;
pub mod dead_letters;
pub mod queues;
pub mod reconcile_runs;
