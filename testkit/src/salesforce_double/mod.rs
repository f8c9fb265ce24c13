//! A stateful, in-memory Salesforce for tests: the OAuth token endpoint and
//! the REST API calls a Contact sync makes, over real HTTP on port 0, with
//! the rules of `shared/mission/SALESFORCE_FACTS.md` (no emulator exists).
//! Each module's doc cites the Salesforce document its behaviour follows.
//!
//! Served:
//! - `POST /services/oauth2/token`: client credentials; `instance_url` is
//!   the double itself; refused on `login.salesforce.com` and
//!   `test.salesforce.com` (`oauth`). Every REST call needs `Authorization:
//!   Bearer`.
//! - Under `/services/data/vNN.0/` (31.0 on; older versions are 410 GONE):
//!   Contact create, GET (`?fields=`), PATCH (`If-Unmodified-Since` ->
//!   412), soft DELETE; upsert and GET by `Catalog_Sync_Id__c` (201/200
//!   with `created`, 300 on two matches; below 46.0, 201 without `created`
//!   and 204); `describe`; `deleted/?start=&end=` (`replication`); `query`
//!   and `queryAll` with `nextRecordsUrl` paging and expiring locators.
//! - `Sforce-Limit-Info: api-usage=N/M` and `Date` (the org's clock) on
//!   every REST answer; errors are Salesforce's JSON arrays; every write
//!   stamps LastModifiedDate and SystemModstamp, ms precision, strictly
//!   increasing, by the org's own clock (`time`).
//! - The org's rules: sharing that hides records from the API user
//!   (`contacts`), merges with `MasterRecordId` (`merge`), duplicate rules
//!   (`duplicates`, `matching`), Email syntax and lower case (`email`).
//!
//! SOQL is not parsed in general. The shapes accepted (keywords in any
//! case, fields any of Contact's, `MasterRecordId`, `CreatedDate`,
//! `LastModifiedDate` and `IsDeleted` included; `ORDER BY` and `LIMIT`
//! optional):
//!
//! ```text
//! SELECT <f>, <f>... FROM Contact [ORDER BY SystemModstamp [ASC], Id [ASC]] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE SystemModstamp >= <datetime> [ORDER BY ...] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE SystemModstamp > <datetime> [ORDER BY ...] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE Catalog_Sync_Id__c = '<v>' [ORDER BY ...] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE Email = '<v>' [ORDER BY ...] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE Id = '<id>' [ORDER BY ...] [LIMIT <n>]
//! SELECT <f>, <f>... FROM Contact WHERE Id IN ('<id>', '<id>'...) [ORDER BY ...] [LIMIT <n>]
//! ```
//!
//! Results are always ordered by (SystemModstamp, Id) and never hold a
//! record hidden from the API user. Any other shape is a 400
//! `MALFORMED_QUERY`; an unknown field is a 400 `INVALID_FIELD`; an id
//! literal of neither 15 nor 18 characters a 400
//! `INVALID_QUERY_FILTER_OPERATOR`.
//!
//! Tests steer the org through `Controls` (the double derefs to it), or
//! over HTTP under `/_control` (see `control_http`).

mod contacts;
mod control_http;
mod control_http_org;
mod controls;
mod controls_faults;
mod controls_log;
mod controls_rules;
mod duplicates;
mod email;
mod errors;
mod fields;
mod json;
mod matching;
mod merge;
mod oauth;
mod org;
mod query;
mod replication;
mod rest;
mod soql;
mod soql_lexer;
mod time;
mod upsert;

use std::net::TcpListener;
use std::sync::{Mutex, PoisonError};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};

pub use controls::Controls;
pub use duplicates::{DuplicateAction, DuplicateMatching, DUPLICATE_RESULT_KEY};
pub use errors::SfError;
pub use fields::{EXTERNAL_ID, VERSION};
pub use org::{Failure, Logged, DEFAULT_PAGE_SIZE, DEFAULT_QUOTA};
pub use replication::DEFAULT_ID_LIMIT;
pub use time::{format as format_datetime, http_date};

/// The credentials the token endpoint accepts until `set_credentials`.
pub const CLIENT_ID: &str = "catalog-sync-test-client";
pub const CLIENT_SECRET: &str = "catalog-sync-test-secret";

struct State {
    org: Mutex<org::Org>,
}

/// Every handler takes the lock briefly and never across an await, so a
/// panicking test thread cannot leave it unusable for the others.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn status_code(status: u16) -> actix_web::http::StatusCode {
    actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR)
}

pub struct SalesforceDouble {
    url: String,
    controls: Controls,
    handle: ServerHandle,
}

impl SalesforceDouble {
    /// Serves on 127.0.0.1, on a free port, until `stop` or the runtime ends.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0").await
    }

    /// Serves on `address` (a binary's fixed port).
    pub async fn start_on(address: &str) -> std::io::Result<Self> {
        Self::start_at(address, None).await
    }

    /// Serves on `address`, telling clients to call `url` (the token's
    /// `instance_url`): in a container, what it listens on (0.0.0.0) is not
    /// the name others reach it by. Without `url`, the listener's address;
    /// every interface's is reached here on 127.0.0.1.
    pub async fn start_at(address: &str, url: Option<&str>) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address)?;
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let url = url.map_or_else(|| format!("http://{local}"), |url| url.trim_end_matches('/').to_owned());
        let state = web::Data::new(State { org: Mutex::new(org::Org::new(url.clone(), CLIENT_ID, CLIENT_SECRET)) });
        let data = state.clone();
        let server = HttpServer::new(move || {
            // Silent in tests (no logger); the binary's log shows each call.
            App::new()
                .wrap(actix_web::middleware::Logger::new("%r %s %Dms"))
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(8 << 20))
                .route(oauth::TOKEN_PATH, web::post().to(oauth::token))
                .service(control_http::routes(web::scope("/_control")))
                .default_service(web::to(rest::handle))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self { url, controls: Controls { state }, handle })
    }

    /// The base URL: the login URL and the `instance_url` alike.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The controls, as a handle that outlives a borrow of the double.
    pub fn controls(&self) -> Controls {
        self.controls.clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

impl std::ops::Deref for SalesforceDouble {
    type Target = Controls;

    fn deref(&self) -> &Controls {
        &self.controls
    }
}
