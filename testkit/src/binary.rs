//! The services' real binaries, run the way an operator runs them.

use secrecy::ExposeSecret;
use std::process::Output;

use shared_models::config::Settings;

/// Runs `binary` with `args`, configured by `settings` alone: an empty
/// environment apart from them, in the temporary directory, where no `.env`
/// is read.
pub async fn run_binary(binary: &str, args: &[&str], settings: &Settings) -> Output {
    tokio::process::Command::new(binary)
        .args(args)
        .env_clear()
        .envs(env_vars(settings))
        .current_dir(std::env::temp_dir())
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"))
}

/// Starts `binary` as [`run_binary`] runs it, with `vars` on top of the
/// settings (an empty value unsets one, leaving it to the default). Its log
/// (stderr) is piped for the test to read; it is killed when dropped.
pub fn spawn_binary(binary: &str, settings: &Settings, vars: &[(&str, &str)]) -> tokio::process::Child {
    let mut env: Vec<(&str, String)> = env_vars(settings);
    for (name, value) in vars {
        env.retain(|(set, _)| set != name);
        if !value.is_empty() {
            env.push((name, (*value).to_owned()));
        }
    }
    tokio::process::Command::new(binary)
        .env_clear()
        .envs(env)
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"))
}

/// `settings` as the environment variables the services read.
pub fn env_vars(s: &Settings) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("DATABASE_URL", s.database.url.clone()),
        ("DATABASE_POOL_SIZE", s.database.pool_size.to_string()),
        ("AMQP_URL", s.broker.url.clone()),
        ("AMQP_PREFIX", s.broker.prefix.clone()),
        ("SYNC_INTEGRATIONS", s.sync.integrations.clone()),
        ("BIND_ADDRESS", s.http.bind_address.clone()),
        ("API_PORT", s.http.api_port.to_string()),
        ("WEBHOOK_PORT", s.http.webhook_port.to_string()),
        ("WORKER_METRICS_PORT", s.http.worker_metrics_port.to_string()),
        ("STRIPE_API_BASE", s.stripe.api_base.clone()),
        ("STRIPE_WEBHOOK_TOLERANCE_SECONDS", s.stripe.webhook_tolerance_seconds.to_string()),
        ("INWARD_MODE", s.sync.inward_mode.clone()),
        ("STRIPE_POLL_INTERVAL_MS", s.stripe.poll_interval_ms.to_string()),
        ("INBOX_RETENTION_HOURS", s.sync.inbox_retention_hours.to_string()),
        ("STRIPE_RATE_LIMIT_PER_SECOND", s.stripe.rate_limit_per_second.to_string()),
        ("STRIPE_TIMEOUT_MS", s.stripe.timeout_ms.to_string()),
        ("WORKER_PREFETCH", s.sync.prefetch.to_string()),
        ("RETRY_MAX_ATTEMPTS", s.sync.retry_max_attempts.to_string()),
        ("RETRY_BASE_DELAY_MS", s.sync.retry_base_delay_ms.to_string()),
        ("RETRY_MAX_DELAY_MS", s.sync.retry_max_delay_ms.to_string()),
        ("SYNC_BLOCKED_RETRY_SECONDS", s.sync.blocked_retry_seconds.to_string()),
        ("DELETION_GUARD_MAX", s.sync.deletion_guard_max.to_string()),
        ("DELETION_GUARD_PERCENT", s.sync.deletion_guard_percent.to_string()),
        ("DELETION_GUARD_WINDOW_SECONDS", s.sync.deletion_guard_window_seconds.to_string()),
        ("RELAY_POLL_INTERVAL_MS", s.broker.relay_poll_interval_ms.to_string()),
        ("RELAY_BATCH_SIZE", s.broker.relay_batch_size.to_string()),
        ("OUTBOX_RETENTION_HOURS", s.broker.outbox_retention_hours.to_string()),
        ("API_AUTH", s.http.api_auth.clone()),
        ("REQUEST_TIMEOUT_SECONDS", s.http.request_timeout_seconds.to_string()),
        ("STRIPE_CONFIRM_EVENTS", s.stripe.confirm_events.to_string()),
        ("SALESFORCE_LOGIN_URL", s.salesforce.login_url.clone()),
        ("SALESFORCE_CLIENT_ID", s.salesforce.client_id.clone().unwrap_or_default()),
        ("SALESFORCE_API_VERSION", s.salesforce.api_version.clone()),
        ("SALESFORCE_POLL_INTERVAL_MS", s.salesforce.poll_interval_ms.to_string()),
        ("SALESFORCE_POLL_OVERLAP_SECONDS", s.salesforce.poll_overlap_seconds.to_string()),
        ("SALESFORCE_TIMEOUT_MS", s.salesforce.timeout_ms.to_string()),
        ("SALESFORCE_EXTERNAL_ID_FIELD", s.salesforce.external_id_field.clone()),
        ("SALESFORCE_VERSION_FIELD", s.salesforce.version_field.clone()),
        ("SALESFORCE_DUPLICATE_RULE", s.salesforce.duplicate_rule.clone()),
        ("SALESFORCE_QUOTA_RESERVE_PERCENT", s.salesforce.quota_reserve_percent.to_string()),
        ("SALESFORCE_QUOTA_WAIT_SECONDS", s.salesforce.quota_wait_seconds.to_string()),
    ];
    let optional = [
        ("STRIPE_SECRET_KEY", &s.stripe.secret_key),
        ("STRIPE_WEBHOOK_SECRET", &s.stripe.webhook_secret),
        ("API_BOOTSTRAP_KEY", &s.http.api_bootstrap_key),
        ("SALESFORCE_CLIENT_SECRET", &s.salesforce.client_secret),
    ];
    vars.extend(optional.into_iter().filter_map(|(name, value)| Some((name, value.as_ref()?.expose_secret().to_owned()))));
    vars
}

/// The stdout of a run that must have succeeded, as JSON.
pub fn stdout_json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "the command failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout)))
}

/// Asserts that `binary` refuses each of `commands`, with `usage` on stderr.
/// There is no such database: the arguments are checked before anything is
/// opened.
pub async fn assert_refused_with_usage(binary: &str, commands: &[&[&str]], usage: &str) {
    let settings = crate::settings("postgres://postgres@127.0.0.1:5432/none", &crate::amqp_url(), "unused", "http://127.0.0.1:9");
    for args in commands {
        let output = run_binary(binary, args, &settings).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(usage), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed something");
    }
}

/// The path of a service binary of this workspace, for tests of another
/// package (which cargo gives no `CARGO_BIN_EXE_*` for): next to the running
/// test, where `cargo test --workspace` (`scripts/test.sh`) builds it.
pub fn workspace_binary(name: &str) -> String {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> -> target/<profile>/<name>
    let dir = exe.parent().and_then(std::path::Path::parent).expect("the build folder");
    let path = dir.join(name);
    assert!(path.is_file(), "{} is not built: run the tests with `cargo test --workspace` (scripts/test.sh)", path.display());
    path.to_string_lossy().into_owned()
}
