//! The running system the sections share, and how much load each one sends.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::client::{Api, Made};
use crate::drive::until;
use crate::report::Report;
use crate::stack::{Service, Stack};
use testkit::StripeDouble;

/// How many calls each measurement makes; `--quick` keeps the whole run
/// under a minute, to keep the suite from rotting, not to measure.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub creates: [(usize, usize); 3],
    pub steady_rate: f64,
    pub steady_count: usize,
    pub ramp: &'static [f64],
    pub ramp_seconds: f64,
    pub localstripe_count: usize,
    pub inward_samples: usize,
    pub ingest_events: usize,
    pub backlog: usize,
    pub limited: usize,
    pub grown_to: i64,
    pub round_trips: usize,
    /// How long a CPU-only limit (the HMAC check) is measured.
    pub cpu_seconds: f64,
    /// Customers edited, and edits made, while Stripe answers and while it hangs.
    pub hang_customers: usize,
    pub hang_edits: usize,
    /// Section 8: creates synced to Salesforce, edits made there, and how
    /// long polling is watched with nothing changing.
    pub salesforce_outward: usize,
    pub salesforce_inward: usize,
    pub salesforce_idle_seconds: f64,
    /// Section 9: customers billed, invoices made for the lag (at the
    /// rate) and for the throughput.
    pub invoice_customers: usize,
    pub invoice_lag: usize,
    pub invoice_rate: f64,
    pub invoice_creates: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            creates: [(1, 600), (16, 3_000), (64, 3_000)],
            steady_rate: 20.0,
            steady_count: 200,
            ramp: &[50.0, 100.0, 200.0, 400.0, 800.0],
            ramp_seconds: 3.0,
            localstripe_count: 100,
            inward_samples: 400,
            ingest_events: 4_000,
            backlog: 3_000,
            limited: 250,
            grown_to: 100_000,
            round_trips: 1_000,
            cpu_seconds: 1.0,
            hang_customers: 200,
            hang_edits: 2_000,
            salesforce_outward: 200,
            salesforce_inward: 60,
            salesforce_idle_seconds: 5.0,
            invoice_customers: 50,
            invoice_lag: 200,
            invoice_rate: 20.0,
            invoice_creates: 3_000,
        }
    }

    pub fn quick() -> Self {
        Self {
            creates: [(1, 50), (16, 200), (64, 200)],
            steady_rate: 20.0,
            steady_count: 40,
            ramp: &[50.0, 200.0],
            ramp_seconds: 1.0,
            localstripe_count: 20,
            inward_samples: 30,
            ingest_events: 300,
            backlog: 200,
            limited: 40,
            grown_to: 3_000,
            round_trips: 100,
            cpu_seconds: 0.2,
            hang_customers: 40,
            hang_edits: 200,
            salesforce_outward: 30,
            salesforce_inward: 8,
            salesforce_idle_seconds: 2.0,
            invoice_customers: 10,
            invoice_lag: 30,
            invoice_rate: 20.0,
            invoice_creates: 200,
        }
    }
}

pub struct Bench {
    pub sizes: Sizes,
    pub stack: Stack,
    pub double: StripeDouble,
    pub api: Api,
    pub api_service: Service,
    pub webhook_service: Service,
    pub workers: Vec<Service>,
    pub report: Report,
    /// Customers created through the API and synced, for the inward section.
    pub synced: Vec<Made>,
    /// Idle memory per service (MB), read right after each started.
    pub idle: HashMap<&'static str, f64>,
    pub started: Instant,
}

impl Bench {
    pub async fn start(bin_dir: PathBuf, sizes: Sizes, report: Report) -> anyhow::Result<Self> {
        let double = StripeDouble::start(None).context("starting the Stripe double")?;
        let stack = Stack::new(bin_dir, &double.url).await?;
        let api_service = stack.start("api-service", &[]).await?;
        let webhook_service = stack.start("webhook-service", &[]).await?;
        let api = Api::new(api_service.url());
        let mut bench = Self {
            sizes,
            stack,
            double,
            api,
            api_service,
            webhook_service,
            workers: Vec::new(),
            report,
            synced: Vec::new(),
            idle: HashMap::new(),
            started: Instant::now(),
        };
        // Idle memory: after start-up and a moment to settle, before any load.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for service in [&bench.api_service, &bench.webhook_service] {
            if let Some((rss, _)) = service.memory_mb() {
                bench.idle.insert(service.name, rss);
            }
        }
        Ok(bench)
    }

    /// Starts `count` workers talking to `stripe_base` (the instant double
    /// when `None`), with extra settings.
    pub async fn start_workers(&mut self, count: usize, stripe_base: Option<&str>, extra: &[(&str, String)]) -> anyhow::Result<()> {
        let mut settings: Vec<(&str, String)> = extra.to_vec();
        if let Some(base) = stripe_base {
            settings.push(("STRIPE_API_BASE", base.to_owned()));
        }
        for _ in 0..count {
            let worker = self.stack.start("sync-worker", &settings).await?;
            if let Some((rss, _)) = worker.memory_mb() {
                self.idle.entry("sync-worker").or_insert(rss);
            }
            self.workers.push(worker);
        }
        Ok(())
    }

    pub async fn stop_workers(&mut self) {
        for worker in std::mem::take(&mut self.workers) {
            self.stack.note_peak(&worker);
            worker.stop().await;
        }
    }

    /// Waits until the relay has published every outbox row.
    pub async fn wait_published(&self) -> anyhow::Result<()> {
        let db = &self.stack.db;
        if !until(Duration::from_secs(120), Duration::from_millis(50), || async {
            db.count("SELECT count(*) FROM outbox WHERE published_at IS NULL").await == 0
        })
        .await
        {
            bail!("the relay did not publish the outbox within 120 s");
        }
        Ok(())
    }

    /// Drops what waits in the customer work queue (load nobody will sync).
    pub async fn purge_work_queue(&self) {
        let queue = self.stack.topology().work_queue("stripe", shared_models::sync::CUSTOMER);
        testkit::purge_queue(&self.stack.broker.url, &queue).await;
    }

    pub async fn finish(mut self) -> Report {
        self.stop_workers().await;
        for service in [self.api_service, self.webhook_service] {
            self.stack.note_peak(&service);
            service.stop().await;
        }
        let mut report = self.report;
        crate::memory::report(&mut report, &self.idle, &self.stack);
        self.double.stop().await;
        self.stack.cleanup().await;
        report
    }
}
