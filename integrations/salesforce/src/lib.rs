//! Salesforce Contacts as an integration of the customer catalog, over a
//! thin client of Salesforce's REST API (about ten endpoints; the one kept
//! crate, salesforce_core, is MPL-2.0 and brings a second reqwest).
//!
//! In progress (issue 14): this crate holds the rules that need no server
//! yet, how a customer's one `name` maps to a Contact's `FirstName` and
//! `LastName`, how Salesforce's error answers map to `SyncError`, and the
//! thin REST client (token, one refresh, API usage). It is
//! not in the registry of pairs until its connector and source exist.

pub mod client;
pub mod contacts;
pub mod errors;
pub mod names;
