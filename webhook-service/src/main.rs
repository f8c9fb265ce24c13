use anyhow::Context;
use shared_models::config::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let settings = Settings::load().context("webhook-service cannot start")?;
    shared_models::db::run_migrations(&settings.database_url).await.context("applying database migrations")?;
    let app = webhook_service::Application::build(&settings).context("building webhook-service")?;
    log::info!("webhook-service listening on port {} (inward mode: {})", app.port(), settings.inward_mode);
    app.run_until_stopped().await.context("running webhook-service")
}
