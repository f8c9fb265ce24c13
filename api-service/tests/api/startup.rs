use std::process::Command;

/// Runs the real binary with only `vars` set and returns (success, stderr).
fn run_with(vars: &[(&str, &str)]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_api-service"))
        .env_clear()
        .envs(vars.iter().copied())
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run api-service");
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_missing_setting_stops_the_service_naming_it() {
    let (ok, stderr) = run_with(&[("AMQP_URL", "amqp://127.0.0.1:5672/%2f")]);
    assert!(!ok);
    assert!(stderr.contains("DATABASE_URL"), "stderr: {stderr}");
}

#[test]
fn a_malformed_setting_stops_the_service_naming_it() {
    let base = [("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/none"), ("AMQP_URL", "amqp://127.0.0.1:5672/%2f")];
    let (ok, stderr) = run_with(&[base[0], base[1], ("API_PORT", "eighty")]);
    assert!(!ok);
    assert!(stderr.contains("API_PORT"), "stderr: {stderr}");
    let (ok, stderr) = run_with(&[base[0], ("AMQP_URL", "http://wrong")]);
    assert!(!ok);
    assert!(stderr.contains("AMQP_URL"), "stderr: {stderr}");
    // An integration this build cannot sync would leave its links pending for ever.
    let (ok, stderr) = run_with(&[base[0], base[1], ("SYNC_INTEGRATIONS", "stripe,hubspot")]);
    assert!(!ok);
    assert!(stderr.contains("SYNC_INTEGRATIONS") && stderr.contains("hubspot"), "stderr: {stderr}");
}

#[tokio::test]
async fn migrate_applies_the_schema_and_exits() {
    let db = testkit::TestDb::create().await;
    db.execute("DROP SCHEMA public CASCADE").await;
    db.execute("CREATE SCHEMA public").await;

    let output = Command::new(env!("CARGO_BIN_EXE_api-service"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("AMQP_URL", "amqp://127.0.0.1:5672/%2f")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run api-service migrate");

    assert!(output.status.success(), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(db.count("SELECT count(*) FROM customers").await, 0, "the customers table exists again");
    db.cleanup().await;
}

#[tokio::test]
async fn services_starting_at_once_migrate_without_racing() {
    let db = testkit::TestDb::create().await;
    db.execute("DROP SCHEMA public CASCADE").await;
    db.execute("CREATE SCHEMA public").await;

    let runs = futures_util::future::join_all((0..3).map(|_| shared_models::db::run_migrations(&db.url))).await;

    let applied: Vec<usize> = runs.into_iter().map(|r| r.expect("migration run").len()).collect();
    assert_eq!(applied.iter().filter(|n| **n > 0).count(), 1, "exactly one run applied the migrations: {applied:?}");
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations")).expect("migrations folder").count();
    assert_eq!(applied.iter().sum::<usize>(), migrations, "each migration applied once: {applied:?}");
    assert_eq!(db.count("SELECT count(*) FROM outbox").await, 0);
    db.cleanup().await;
}

#[tokio::test]
async fn a_service_started_while_postgresql_is_away_waits_for_it() {
    use tokio::io::{AsyncBufReadExt, BufReader};

    // Arrange: PostgreSQL reachable only through a proxy that is cut.
    let db = testkit::TestDb::create().await;
    let postgres = testkit::TcpProxy::start("127.0.0.1:5432".parse().unwrap()).await;
    postgres.cut();
    let url = db.url.replace("127.0.0.1:5432", &postgres.addr.to_string());

    // Act: the service starts (here its migrate command) while it is away.
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_api-service"))
        .arg("migrate")
        .env_clear()
        .env("DATABASE_URL", &url)
        .env("AMQP_URL", "amqp://127.0.0.1:5672/%2f")
        .env("RUST_LOG", "info")
        .current_dir(std::env::temp_dir())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start api-service migrate");
    let mut log = BufReader::new(child.stderr.take().unwrap()).lines();
    let waiting = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Ok(Some(line)) = log.next_line().await {
            if line.contains("PostgreSQL is not accepting us yet") {
                return true;
            }
        }
        false
    })
    .await;
    postgres.restore();
    tokio::spawn(async move { while let Ok(Some(_)) = log.next_line().await {} });

    // Assert: it waited instead of exiting, and went on once it could.
    assert_eq!(waiting.ok(), Some(true), "the service said it waits for PostgreSQL");
    let status = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait()).await.expect("it finished").unwrap();
    assert!(status.success());
    db.cleanup().await;
}

#[tokio::test]
async fn the_api_runs_without_a_stripe_key() {
    // It talks to no integration: webhook-service and the workers do.
    let db = testkit::TestDb::create().await;
    let broker = testkit::TestBroker::new();
    let mut settings = testkit::settings(&db.url, &broker.url, &broker.prefix, "http://127.0.0.1:9");
    settings.stripe.secret_key = None;

    let app = api_service::Application::build(settings).await.expect("builds without STRIPE_SECRET_KEY");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());

    let http = testkit::http();
    let created = http.post(format!("{base}/customers")).json(&serde_json::json!({"name": "Ada", "email": "ada@example.com"}));
    assert_eq!(created.send().await.unwrap().status(), 201);
    let reconcile = http.post(format!("{base}/sync/reconcile")).json(&serde_json::json!({}));
    assert_eq!(reconcile.send().await.unwrap().status(), 202);
    db.cleanup().await;
}
