use anyhow::Context;
use shared_models::config::Settings;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let settings = Settings::load().context("api-service cannot start")?;
    let migrations = shared_models::db::run_migrations(&settings.database_url).await.context("applying database migrations")?;
    if !migrations.is_empty() {
        log::info!("applied migrations: {}", migrations.join(", "));
    }
    // `api-service migrate` applies the migrations and exits.
    if std::env::args().nth(1).as_deref() == Some("migrate") {
        log::info!("database is up to date");
        return Ok(());
    }
    let app = api_service::Application::build(settings).await.context("building api-service")?;
    log::info!("api-service listening on port {}", app.port());
    app.run_until_stopped().await.context("running api-service")
}
