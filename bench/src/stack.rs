//! The system under test: the real service binaries as child processes, on a
//! fresh database and RabbitMQ names of their own, each with its memory read
//! from /proc.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use shared_models::broker::Topology;
use testkit::{TestBroker, TestDb};
use tokio::process::{Child, Command};

use crate::drive::until;

pub const WEBHOOK_SECRET: &str = "whsec_bench";
pub const BINARIES: [&str; 3] = ["api-service", "webhook-service", "sync-worker"];
/// DATABASE_POOL_SIZE of every service.
pub const POOL_SIZE: usize = 20;
/// Retries are quick in the bench, so a throttled change is seen through.
const RETRY_BASE_MS: u64 = 200;
const RETRY_MAX_MS: u64 = 2_000;

/// One running service process.
pub struct Service {
    pub name: &'static str,
    pub port: u16,
    child: Child,
}

impl Service {
    /// (current, peak) resident memory in MB (10^6 bytes), from /proc/<pid>/status.
    pub fn memory_mb(&self) -> Option<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()?)).ok()?;
        let field = |name: &str| -> Option<f64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024.0 / 1e6)
        };
        Some((field("VmRSS:")?, field("VmHWM:")?))
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// kill -9: the process gets no chance to finish anything (the soak's fault).
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }

    /// SIGTERM, then a kill if it has not stopped within 10 s.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status().await;
        }
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}

/// Where the service binaries are, and the settings every one of them gets.
pub struct Stack {
    pub db: TestDb,
    pub broker: TestBroker,
    bin_dir: PathBuf,
    work_dir: PathBuf,
    env: HashMap<&'static str, String>,
    /// Peak memory seen per service name, kept past a process's end.
    peaks: HashMap<&'static str, f64>,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl Stack {
    pub async fn new(bin_dir: PathBuf, stripe_api_base: &str) -> anyhow::Result<Self> {
        let db = TestDb::create().await;
        let broker = TestBroker::new();
        let work_dir = std::env::temp_dir().join(&broker.prefix);
        std::fs::create_dir_all(&work_dir).context("creating the bench's work folder")?;
        let env = HashMap::from([
            ("DATABASE_URL", db.url.clone()),
            ("DATABASE_POOL_SIZE", POOL_SIZE.to_string()),
            ("AMQP_URL", broker.url.clone()),
            ("AMQP_PREFIX", broker.prefix.clone()),
            ("BIND_ADDRESS", "127.0.0.1".into()),
            ("STRIPE_SECRET_KEY", "sk_test_bench".into()),
            ("STRIPE_API_BASE", stripe_api_base.to_owned()),
            ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET.into()),
            ("STRIPE_RATE_LIMIT_PER_SECOND", "0".into()),
            ("INWARD_MODE", "webhook".into()),
            ("RETRY_BASE_DELAY_MS", RETRY_BASE_MS.to_string()),
            ("RETRY_MAX_DELAY_MS", RETRY_MAX_MS.to_string()),
            ("RETRY_MAX_ATTEMPTS", "10".into()),
            ("RUST_LOG", "info".into()),
            ("API_BOOTSTRAP_KEY", testkit::API_KEY.into()),
        ]);
        Ok(Self { db, broker, bin_dir, work_dir, env, peaks: HashMap::new() })
    }

    /// Every service also syncs customers with Salesforce at `login_url`
    /// (the double), polling it every `poll_ms`.
    pub fn with_salesforce(mut self, login_url: &str, poll_ms: u64) -> Self {
        self.env.extend([
            ("SYNC_INTEGRATIONS", "stripe,salesforce".to_owned()),
            ("SALESFORCE_LOGIN_URL", login_url.to_owned()),
            ("SALESFORCE_CLIENT_ID", testkit::salesforce_double::CLIENT_ID.to_owned()),
            ("SALESFORCE_CLIENT_SECRET", testkit::salesforce_double::CLIENT_SECRET.to_owned()),
            ("SALESFORCE_POLL_INTERVAL_MS", poll_ms.to_string()),
        ]);
        self
    }

    pub fn bin_dir(&self) -> PathBuf {
        self.bin_dir.clone()
    }

    /// Starts `name` with the shared settings plus `extra`; waits for /health.
    pub async fn start(&self, name: &'static str, extra: &[(&str, String)]) -> anyhow::Result<Service> {
        self.start_as(name, name, extra).await
    }

    /// Like `start`, logging to `<log>.log`: two processes of one binary
    /// keep apart logs.
    pub async fn start_as(&self, name: &'static str, log: &str, extra: &[(&str, String)]) -> anyhow::Result<Service> {
        let port = free_port()?;
        let port_var = match name {
            "api-service" => "API_PORT",
            "webhook-service" => "WEBHOOK_PORT",
            _ => "WORKER_METRICS_PORT",
        };
        let log_path = self.work_dir.join(format!("{log}.log"));
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(&log_path).context("opening a service log")?;
        let mut command = Command::new(self.bin_dir.join(name));
        // No `.env` of a developer's checkout leaks in: every setting is given here.
        command.current_dir(&self.work_dir).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        command.envs(&self.env).env(port_var, port.to_string()).envs(extra.iter().map(|(k, v)| (*k, v)));
        command.stdout(Stdio::null()).stderr(log_file).kill_on_drop(true);
        let child = command.spawn().with_context(|| format!("starting {}", self.bin_dir.join(name).display()))?;
        let service = Service { name, port, child };
        let health = format!("{}/health", service.url());
        let http = testkit::http();
        let up = until(Duration::from_secs(30), Duration::from_millis(50), || async {
            http.get(&health).send().await.is_ok_and(|r| r.status().is_success())
        })
        .await;
        if !up {
            bail!("{name} did not answer {health} within 30 s; see {}", log_path.display());
        }
        Ok(service)
    }

    /// Notes the peak memory of `service` (call before stopping it).
    pub fn note_peak(&mut self, service: &Service) {
        if let Some((_, peak)) = service.memory_mb() {
            let seen = self.peaks.entry(service.name).or_insert(0.0);
            *seen = seen.max(peak);
        }
    }

    pub fn peak(&self, name: &str) -> Option<f64> {
        self.peaks.get(name).copied()
    }

    pub fn log_dir(&self) -> &Path {
        &self.work_dir
    }

    pub fn topology(&self) -> Topology {
        Topology::new(&self.broker.prefix, RETRY_BASE_MS, RETRY_MAX_MS)
    }

    /// Drops the RabbitMQ names but keeps the database and the logs, to
    /// look into after a failed run; says where they are.
    pub async fn keep_evidence(self) -> String {
        testkit::delete_topology(&self.broker.url, &self.topology()).await;
        format!("database {} and the logs in {}", self.db.url, self.work_dir.display())
    }

    pub async fn cleanup(self) {
        testkit::delete_topology(&self.broker.url, &self.topology()).await;
        self.db.cleanup().await;
        let _ = std::fs::remove_dir_all(&self.work_dir);
    }
}

/// The folder holding the service binaries: next to this one. When one is
/// missing, builds them with the profile this binary was built with.
pub fn binaries() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the bench binary")?;
    let dir = exe.parent().context("the bench binary has no folder")?.to_path_buf();
    if BINARIES.iter().all(|b| dir.join(b).is_file()) {
        return Ok(dir);
    }
    let profile = dir.file_name().and_then(|n| n.to_str()).unwrap_or("debug");
    let target = dir.parent().context("the bench binary is not in a cargo target folder")?;
    eprintln!("building the services ({profile}) into {} ...", target.display());
    let mut cargo = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.args(["build", "--profile", if profile == "debug" { "dev" } else { profile }]);
    for b in BINARIES {
        cargo.args(["-p", b]);
    }
    let status = cargo.env("CARGO_TARGET_DIR", target).status().context("running cargo build for the services")?;
    if !status.success() {
        bail!("cargo build of the services failed");
    }
    Ok(dir)
}
