//! Several real `sync-worker` processes on one host with the default
//! settings, as `scripts/run-local.sh` or a hand-started scale-out runs
//! them: each must find a `/metrics` port of its own instead of exiting.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use testkit::{TestBroker, TestDb};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::sync::mpsc;

const BINARY: &str = env!("CARGO_BIN_EXE_sync-worker");
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);
/// What the worker logs once its HTTP server listens.
const LISTENING: &str = "serving /metrics, /health and /ready on port ";

/// A running worker and the lines of its log.
struct Worker {
    child: Child,
    log: mpsc::UnboundedReceiver<String>,
}

impl Worker {
    /// Starts the binary with WORKER_METRICS_PORT unset: its default.
    fn start(settings: &shared_models::config::Settings) -> Self {
        let mut child = testkit::spawn_binary(BINARY, settings, &[("WORKER_METRICS_PORT", ""), ("RUST_LOG", "info")]);
        let (lines, log) = mpsc::unbounded_channel();
        let stderr = child.stderr.take().expect("piped stderr");
        // Reads the log to its end, so the worker never blocks on a full pipe.
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let _ = lines.send(line);
            }
        });
        Self { child, log }
    }

    /// The port its log says it listens on; panics with the log if it exits first.
    async fn port(&mut self) -> u16 {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(WAIT, async {
            while let Some(line) = self.log.recv().await {
                if let Some(port) = line.split(LISTENING).nth(1).and_then(|p| p.trim().parse().ok()) {
                    return Some(port);
                }
                seen.push(line);
            }
            None
        })
        .await;
        match found {
            Ok(Some(port)) => port,
            _ => panic!("the worker never said which port it listens on; its log:\n{}", seen.join("\n")),
        }
    }
}

#[tokio::test]
async fn three_workers_on_one_host_with_the_default_metrics_port_all_run() {
    // Arrange
    let db = TestDb::create().await;
    let broker = TestBroker::new();
    let settings = testkit::settings(&db.url, &broker.url, &broker.prefix, "http://127.0.0.1:9");

    // Act: three at once, all with the default WORKER_METRICS_PORT.
    let mut workers: Vec<Worker> = (0..3).map(|_| Worker::start(&settings)).collect();
    let mut ports = Vec::new();
    for worker in &mut workers {
        ports.push(worker.port().await);
    }

    // Assert: all alive, each serving /health on a port of its own in the range.
    assert_eq!(ports.iter().collect::<HashSet<_>>().len(), 3, "{ports:?}");
    let range = 9090..9090 + sync_worker::METRICS_PORT_RANGE;
    assert!(ports.iter().all(|p| range.contains(p)), "{ports:?} not in {range:?}");
    let http = testkit::http();
    for (worker, port) in workers.iter_mut().zip(&ports) {
        assert!(worker.child.try_wait().expect("try_wait").is_none(), "the worker on port {port} exited");
        let health = http.get(format!("http://127.0.0.1:{port}/health")).send().await.expect("GET /health");
        assert_eq!(health.status(), 200, "port {port}");
    }

    for mut worker in workers {
        let _ = worker.child.kill().await;
    }
    testkit::delete_topology(&broker.url, &broker.topology(&settings)).await;
    db.cleanup().await;
}
