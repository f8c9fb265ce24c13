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
    // What each integration must hold, checked once: a missing custom field
    // stops the worker now, saying what to create, not on every change.
    for (pair, worker) in &workers {
        worker.preflight_boxed().await.with_context(|| format!("{} is not ready for the sync", pair.integration))?;
    }
    let metrics =
        sync_worker::MetricsServer::bind(&settings.http.bind_address, settings.http.worker_metrics_port, authenticator(&settings)?)
            .context("binding /metrics")?;
    log::info!("sync-worker serving /metrics and /health on port {}", metrics.port());
    let metrics_handle = metrics.handle();
    let metrics_server = tokio::spawn(metrics.run());

    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let mut running = Vec::new();
    for (pair, worker) in workers {
        log::info!("sync-worker consuming the changes of {}", pair.name());
        running.push(tokio::spawn(worker.run_boxed(shutdown.clone())));
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
