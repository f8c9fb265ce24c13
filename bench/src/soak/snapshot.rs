//! The three sides as they ended, read once the sync is quiet: every local
//! customer (deleted ones too) with its Stripe and Salesforce links, every
//! live Stripe customer, every Contact (deleted ones too), and whatever the
//! sync gave up on (dead letters, failed inbound events, open conflicts) or
//! the guard holds. Read straight from PostgreSQL, the emulator and the
//! org, not through the proxies.

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;

use super::held::Guarded;
use super::person::{Person, RemoteCustomer};
use super::rig::Rig;
use super::sf_person::{Contact, SalesforcePerson};

#[derive(Debug, Clone, Serialize, diesel::QueryableByName)]
pub struct LocalCustomer {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub email: String,
    #[diesel(sql_type = BigInt)]
    pub version: i64,
    #[diesel(sql_type = Bool)]
    pub deleted: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub link_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub synced_version: Option<i64>,
    /// The Salesforce link: the Contact's Id, its status and last error.
    #[diesel(sql_type = Nullable<Text>)]
    pub sf_external_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sf_status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub sf_error: Option<String>,
}

/// A row of the sync's own failures: an inbound event given up, or a conflict.
#[derive(Debug, Clone, Serialize, diesel::QueryableByName)]
pub struct Failure {
    #[diesel(sql_type = Text)]
    pub what: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub entity_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub detail: Option<String>,
}

pub struct Snapshot {
    pub local: Vec<LocalCustomer>,
    pub remote: Vec<RemoteCustomer>,
    pub contacts: Vec<Contact>,
    pub dead_letters: Vec<Value>,
    pub failures: Vec<Failure>,
    /// Events Stripe made that never reached the inbox.
    pub events_missed: Vec<String>,
    /// What the mass-deletion guard held, and holds still.
    pub guarded: Guarded,
    /// What a poller said it could no longer read (`poll_cursors.missed`).
    pub poller_missed: Vec<String>,
}

const LOCAL: &str = "SELECT c.id::text AS id, c.name, c.email, c.version, c.deleted_at IS NOT NULL AS deleted, \
     l.external_id, l.status AS link_status, l.last_error, l.synced_version, \
     s.external_id AS sf_external_id, s.status AS sf_status, s.last_error AS sf_error \
     FROM customers c \
     LEFT JOIN sync_links l ON l.entity_id = c.id AND l.integration = 'stripe' AND l.entity_type = 'customer' \
     LEFT JOIN sync_links s ON s.entity_id = c.id AND s.integration = 'salesforce' AND s.entity_type = 'customer' \
     ORDER BY c.created_at";

/// Stripe's events hold the customer under data.object, the Salesforce
/// poller's under record, the sync's own reads under external_id.
const FAILURES: &str = "SELECT integration || ' inbound event ' || event_id || ' (' || event_type || ') failed' AS what, \
     COALESCE(payload->'data'->'object'->>'id', payload->'record'->>'Id', payload->>'external_id') AS external_id, \
     NULL::text AS entity_id, detail FROM inbound_events WHERE status = 'failed' \
     UNION ALL SELECT 'open conflict (' || integration || ')' AS what, external_id, entity_id::text AS entity_id, problem AS detail \
     FROM sync_conflicts";

/// Per integration: deletes held at some point (the guard wrote why), and
/// those still held or released but not taken in.
const GUARDED: &str = "SELECT integration, count(*) FILTER (WHERE detail IS NOT NULL) AS held, \
     count(*) FILTER (WHERE state IN ('held', 'released')) AS open FROM outside_deletions GROUP BY integration";

impl Snapshot {
    pub async fn read(
        rig: &Rig,
        person: &Person,
        sf_person: &SalesforcePerson,
        http: &reqwest::Client,
        released: BTreeMap<String, usize>,
    ) -> anyhow::Result<Self> {
        let mut conn = connect(&rig.stack.db.url).await?;
        let local: Vec<LocalCustomer> = diesel::sql_query(LOCAL).load(&mut conn).await.context("reading the local customers")?;
        let failures: Vec<Failure> = diesel::sql_query(FAILURES).load(&mut conn).await.context("reading the sync's failures")?;
        let remote = person.customers().await.context("listing Stripe's customers")?;
        let contacts = sf_person.contacts();
        let guarded = guarded(&mut conn, released).await?;
        let poller_missed = poller_missed(&mut conn).await?;
        let letters: Value = http
            .get(format!("{}/sync/dead-letters?limit=500", rig.api_url()))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .context("GET /sync/dead-letters")?
            .json()
            .await?;
        let dead_letters = letters["data"].as_array().cloned().unwrap_or_default();
        let events_missed = missed_events(person, &rig.double, &mut conn).await?;
        Ok(Self { local, remote, contacts, dead_letters, failures, events_missed, guarded, poller_missed })
    }

    pub fn local_by_id(&self) -> HashMap<&str, &LocalCustomer> {
        self.local.iter().map(|c| (c.id.as_str(), c)).collect()
    }

    /// Live Stripe customers by the id of ours they carry.
    pub fn remote_by_ours(&self) -> HashMap<&str, Vec<&RemoteCustomer>> {
        let mut by: HashMap<&str, Vec<&RemoteCustomer>> = HashMap::new();
        for customer in &self.remote {
            if let Some(ours) = customer.ours.as_deref() {
                by.entry(ours).or_default().push(customer);
            }
        }
        by
    }
}

/// A connection of our own, tried again while a shared PostgreSQL has
/// no connection to spare.
async fn connect(url: &str) -> anyhow::Result<AsyncPgConnection> {
    let mut tries = 0;
    loop {
        tries += 1;
        match AsyncPgConnection::establish(url).await {
            Ok(conn) => return Ok(conn),
            Err(e) if tries >= 10 => return Err(e).context("connecting to the soak's database"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_secs(2)).await,
        }
    }
}

/// Stripe's events that the inbox does not hold (webhook and poller both
/// missed them): the emulator's, and the invoices' the double holds.
async fn missed_events(person: &Person, double: &testkit::StripeDouble, conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = Text)]
        event_id: String,
    }
    let stored: Vec<Id> = diesel::sql_query("SELECT event_id FROM inbound_events").load(conn).await?;
    let stored: std::collections::HashSet<String> = stored.into_iter().map(|e| e.event_id).collect();
    let mut all = person.event_ids().await?;
    all.extend(double.events().iter().filter_map(|e| e["id"].as_str().map(str::to_owned)));
    Ok(all.into_iter().filter(|id| !stored.contains(id)).collect())
}

async fn guarded(conn: &mut AsyncPgConnection, released: BTreeMap<String, usize>) -> anyhow::Result<Guarded> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        integration: String,
        #[diesel(sql_type = BigInt)]
        held: i64,
        #[diesel(sql_type = BigInt)]
        open: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(GUARDED).load(conn).await.context("reading the guard's deletes")?;
    let mut guarded = Guarded { released, ..Guarded::default() };
    for row in rows {
        guarded.held.insert(row.integration.clone(), row.held);
        guarded.open.insert(row.integration, row.open);
    }
    Ok(guarded)
}

/// "<poller>: <what it missed>" for every poller that said it missed something.
async fn poller_missed(conn: &mut AsyncPgConnection) -> anyhow::Result<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        missed: String,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT name, missed FROM poll_cursors WHERE missed IS NOT NULL")
        .load(conn)
        .await
        .context("reading the pollers")?;
    Ok(rows.into_iter().map(|r| format!("{}: {}", r.name, r.missed)).collect())
}
