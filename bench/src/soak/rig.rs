//! The soak's system: localstripe (behind the tombstones that keep its
//! deleted customers as Stripe does) behind our Stripe double (which plays
//! Stripe's faults on writes, and holds the invoices in memory), the Salesforce double in this process, TCP
//! proxies in front of PostgreSQL and RabbitMQ, and the real services
//! reaching both only through the proxies, syncing with Stripe and
//! Salesforce. Any service can be killed and restarted, and either proxy
//! cut, while the load goes on.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::RwLock;
use std::time::Duration;

use anyhow::Context;
use testkit::{LocalStripe, SalesforceDouble, StripeDouble, TcpProxy};
use tokio::sync::Mutex;

use super::tombstones::Tombstones;
use crate::stack::{Service, Stack, WEBHOOK_SECRET};

/// The worker's Stripe timeout: held answers (3 s and more) outlast it.
pub const STRIPE_TIMEOUT_MS: u64 = 1_500;
pub const WORKERS: usize = 2;
/// Tries to start a service before the run gives up.
const START_TRIES: u32 = 4;
/// The emulator's name for our webhook endpoint; registering it again
/// points it at the new port.
const HOOK: &str = "catalog-sync-soak";
/// Salesforce is polled as often as the setting allows: the soak's edits
/// come in a second apart at most.
const SALESFORCE_POLL_MS: u64 = 1_000;

/// One service of the system, as a fault names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Api,
    Webhook,
    Worker(usize),
}

pub struct Rig {
    pub stack: Stack,
    pub localstripe: LocalStripe,
    pub tombstones: Tombstones,
    pub double: StripeDouble,
    pub salesforce: SalesforceDouble,
    pub pg: TcpProxy,
    pub amqp: TcpProxy,
    /// Settings every service gets on top of the stack's.
    env: Vec<(&'static str, String)>,
    api: Mutex<Option<Service>>,
    webhook: Mutex<Option<Service>>,
    workers: Mutex<Vec<Option<Service>>>,
    /// Where the API answers now: a restart moves it to a new port.
    api_url: RwLock<String>,
}

/// The address a URL of the stack names (PostgreSQL has no default port in `Url`).
async fn upstream(url: &str, default_port: u16) -> anyhow::Result<SocketAddr> {
    let parsed = reqwest::Url::parse(url).with_context(|| format!("parsing {url}"))?;
    let host = parsed.host_str().context("no host in the URL")?.to_owned();
    let port = parsed.port().unwrap_or(default_port);
    let mut addresses = tokio::net::lookup_host((host.as_str(), port)).await?;
    addresses.next().context("the host resolves to nothing")
}

/// `url` with its host and port replaced by the proxy's.
fn through(url: &str, proxy: &TcpProxy) -> anyhow::Result<String> {
    let mut parsed = reqwest::Url::parse(url)?;
    parsed.set_ip_host(proxy.addr.ip()).map_err(|()| anyhow::anyhow!("cannot set the host of {url}"))?;
    parsed.set_port(Some(proxy.addr.port())).map_err(|()| anyhow::anyhow!("cannot set the port of {url}"))?;
    Ok(parsed.to_string())
}

impl Rig {
    pub async fn start(bin_dir: PathBuf) -> anyhow::Result<Self> {
        let localstripe = LocalStripe::start().await;
        let tombstones = Tombstones::start(&localstripe.url).context("starting the tombstones")?;
        let double = StripeDouble::start(Some(tombstones.url.clone())).context("starting the Stripe double")?;
        // localstripe has no one-off invoices: the double holds those, and
        // lists their events after the emulator's, for the poller.
        double.invoices_in_memory();
        let salesforce = SalesforceDouble::start().await.context("starting the Salesforce double")?;
        let stack = Stack::new(bin_dir, &double.url).await?.with_salesforce(salesforce.url(), SALESFORCE_POLL_MS);
        let pg = TcpProxy::start(upstream(&stack.db.url, 5432).await?).await;
        let amqp = TcpProxy::start(upstream(&stack.broker.url, 5672).await?).await;
        let env = vec![
            ("DATABASE_URL", through(&stack.db.url, &pg)?),
            ("AMQP_URL", through(&stack.broker.url, &amqp)?),
            ("STRIPE_TIMEOUT_MS", STRIPE_TIMEOUT_MS.to_string()),
            // Retries (200 ms doubling to 2 s) outlast the longest fault,
            // so no change is dead-lettered for a fault the soak plays.
            ("RETRY_MAX_ATTEMPTS", "40".into()),
            ("INWARD_MODE", "both".into()),
            ("STRIPE_POLL_INTERVAL_MS", "1000".into()),
            // Six processes share PostgreSQL with other users of the machine.
            // (A worker takes 2 x WORKER_PREFETCH + 2 connections.)
            ("DATABASE_POOL_SIZE", "6".into()),
            ("WORKER_PREFETCH", "2".into()),
            // Each pair of a worker has a pool of its own; every worker runs
            // the three, so a worker killed takes its invoices down too.
            ("WORKER_PAIRS", "customer:stripe,customer:salesforce,invoice:stripe".into()),
            // A change waiting on a record that cannot be found (a Stripe
            // customer deleted before its delete came in) is tried again soon.
            ("SYNC_BLOCKED_RETRY_SECONDS", "2".into()),
        ];
        let rig = Self {
            stack,
            localstripe,
            tombstones,
            double,
            salesforce,
            pg,
            amqp,
            env,
            api: Mutex::new(None),
            webhook: Mutex::new(None),
            workers: Mutex::new((0..WORKERS).map(|_| None).collect()),
            api_url: RwLock::new(String::new()),
        };
        if let Err(e) = rig.heal().await {
            let kept = rig.stop(true).await.unwrap_or_default();
            return Err(e.context(format!("starting the services; kept {kept}")));
        }
        Ok(rig)
    }

    pub fn api_url(&self) -> String {
        self.api_url.read().map(|u| u.clone()).unwrap_or_default()
    }

    /// kill -9 of one service; it stays down until `restart`.
    pub async fn kill(&self, role: Role) {
        let service = match role {
            Role::Api => self.api.lock().await.take(),
            Role::Webhook => self.webhook.lock().await.take(),
            Role::Worker(n) => self.workers.lock().await.get_mut(n).and_then(Option::take),
        };
        if let Some(service) = service {
            service.kill().await;
        }
    }

    /// Starts the service of `role` if it is not running (on a new port),
    /// and points whoever calls it there. A start that fails (PostgreSQL
    /// out of connections on a shared machine, say) is tried again.
    pub async fn restart(&self, role: Role) -> anyhow::Result<()> {
        let mut tries = 0;
        loop {
            tries += 1;
            match self.start_role(role).await {
                Ok(()) => return Ok(()),
                Err(e) if tries < START_TRIES => eprintln!("  note: {role:?} did not start (try {tries} of {START_TRIES}): {e:#}"),
                Err(e) => return Err(e),
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }

    async fn start_role(&self, role: Role) -> anyhow::Result<()> {
        match role {
            Role::Api => {
                let mut slot = self.api.lock().await;
                if slot.is_none() {
                    let service = self.stack.start("api-service", &self.env).await?;
                    if let Ok(mut url) = self.api_url.write() {
                        *url = service.url();
                    }
                    *slot = Some(service);
                }
            }
            Role::Webhook => {
                let mut slot = self.webhook.lock().await;
                if slot.is_none() {
                    let service = self.stack.start("webhook-service", &self.env).await?;
                    let hook = format!("{}/webhooks/stripe", service.url());
                    self.localstripe.register_webhook(HOOK, &hook, WEBHOOK_SECRET).await;
                    *slot = Some(service);
                }
            }
            Role::Worker(n) => {
                let mut slots = self.workers.lock().await;
                if let Some(slot) = slots.get_mut(n).filter(|s| s.is_none()) {
                    *slot = Some(self.stack.start_as("sync-worker", &format!("sync-worker-{}", n + 1), &self.env).await?);
                }
            }
        }
        Ok(())
    }

    /// Ends every fault: proxies restored, chaos off, held calls landed,
    /// Salesforce's app restored, its duplicate rule off and no failure
    /// queued, every service running. Salesforce's clock stays where it is
    /// (see `sf_faults`).
    pub async fn heal(&self) -> anyhow::Result<()> {
        self.pg.restore();
        self.amqp.restore();
        self.double.clear_faults();
        self.double.release_held();
        self.salesforce.restore_app();
        self.salesforce.clear_failures();
        self.salesforce.set_duplicate_rule(None);
        for role in [Role::Api, Role::Webhook].into_iter().chain((0..WORKERS).map(Role::Worker)) {
            self.restart(role).await?;
        }
        Ok(())
    }

    /// Stops everything. `keep`: leave the database and logs for a look
    /// (returns where they are).
    pub async fn stop(self, keep: bool) -> Option<String> {
        let mut services: Vec<Service> = self.workers.lock().await.iter_mut().filter_map(Option::take).collect();
        services.extend(self.webhook.lock().await.take());
        services.extend(self.api.lock().await.take());
        for service in services {
            service.stop().await;
        }
        self.double.stop().await;
        self.salesforce.stop().await;
        self.tombstones.stop().await;
        if keep {
            Some(self.stack.keep_evidence().await)
        } else {
            self.stack.cleanup().await;
            None
        }
    }
}
