use anyhow::Context;
use shared_models::auth::Authenticator;
use shared_models::config::Settings;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let settings = Settings::load().context("sync-worker cannot start")?;
    shared_models::db::run_migrations(&settings.database.url).await.context("applying database migrations")?;
    let workers = sync_worker::workers(&settings).context("building sync-worker")?;
    // What each integration must hold, checked once: what a person must fix
    // (a missing custom field, a refused sign-in) stops the worker now,
    // saying what to do, not on every change. An integration out of reach
    // only makes its pair wait; the other pairs run meanwhile.
    let states = sync_worker::PairStates::default();
    let mut checked = Vec::new();
    for (pair, worker) in &workers {
        match worker.preflight_boxed().await {
            Ok(()) => checked.push(true),
            Err(e @ sync_core::SyncError::Permanent { .. }) => {
                return Err(anyhow::anyhow!(e).context(format!("{} is not ready for the sync", pair.integration)));
            }
            Err(e) => {
                log::warn!("{} cannot be reached yet ({e}): {} waits, the other pairs run", pair.integration, pair.name());
                states.set(pair, "waiting");
                checked.push(false);
            }
        }
    }
    let metrics = sync_worker::MetricsServer::bind(
        &settings.http.bind_address,
        settings.http.worker_metrics_port,
        authenticator(&settings)?,
        states.clone(),
    )
    .context("binding /metrics")?;
    log::info!("sync-worker serving /metrics, /health and /ready on port {}", metrics.port());
    let metrics_handle = metrics.handle();
    let metrics_server = tokio::spawn(metrics.run());

    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let mut running = Vec::new();
    for ((pair, worker), checked) in workers.into_iter().zip(checked) {
        running.push(tokio::spawn(sync_worker::run_pair(pair, worker, checked, states.clone(), shutdown.clone())));
    }
    for worker in running {
        if let Err(e) = worker.await {
            log::error!("a worker stopped unexpectedly: {e}");
        }
    }
    metrics_handle.stop(true).await;
    let _ = metrics_server.await;
    log::info!("sync-worker stopped");
    Ok(())
}

/// Checks the keys `/metrics` asks for (API_AUTH, API_BOOTSTRAP_KEY, and
/// the keys in the database).
fn authenticator(settings: &Settings) -> anyhow::Result<std::sync::Arc<Authenticator>> {
    let pool = shared_models::db::build_pool(&settings.database.url, 2).context("building the pool that checks API keys")?;
    let auth = Authenticator::new(pool, settings.http.auth_enabled(), settings.http.api_bootstrap_key.as_ref());
    Ok(std::sync::Arc::new(auth))
}

/// SIGTERM or Ctrl-C: stop taking messages, finish the ones in hand.
async fn stop_on_signal(shutdown: CancellationToken) {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                log::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    log::info!("shutdown requested; finishing messages in hand");
    shutdown.cancel();
}
