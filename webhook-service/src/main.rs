use anyhow::{bail, Context};
use shared_models::config::Settings;
use shared_models::db::reconcile_runs::StartedBy;
use webhook_service::reconcile::TerminalProgress;

const USAGE: &str = "usage: webhook-service [reconcile [--dry-run]]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A mistyped command is told before anything is read or connected.
    let reconcile_dry_run = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => None,
        ["reconcile"] => Some(false),
        ["reconcile", "--dry-run"] => Some(true),
        _ => bail!("{USAGE}"),
    };
    let settings = Settings::load().context("webhook-service cannot start")?;
    shared_models::db::run_migrations(&settings.database.url).await.context("applying database migrations")?;
    if let Some(dry_run) = reconcile_dry_run {
        return reconcile(&settings, dry_run).await;
    }
    let app = webhook_service::Application::build(&settings).context("building webhook-service")?;
    log::info!("webhook-service listening on port {} (inward mode: {})", app.port(), settings.sync.inward_mode);
    app.run_until_stopped().await.context("running webhook-service")
}

/// Compares the catalog with every integration and repairs (or, dry, reports) every
/// difference; prints the summary as JSON. Recorded like the API's runs, so
/// `GET /sync/reconcile` shows it, and refused while another one runs.
async fn reconcile(settings: &Settings, dry_run: bool) -> anyhow::Result<()> {
    let reconciler = wiring::reconciler(settings).context("building the reconciler")?;
    let recorded = reconciler.record(StartedBy::Command, dry_run).await.context("cannot start the reconcile")?;
    let id = recorded.row().id;
    log::info!("reconcile {id} started; GET /sync/reconcile/{id} follows it");
    let progress = TerminalProgress::new();
    let summary = recorded.run(&progress).await;
    progress.finish();
    let summary = summary.context("reconcile stopped")?;
    println!("{}", serde_json::to_string_pretty(&summary).context("printing the summary")?);
    Ok(())
}
