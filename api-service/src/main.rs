use anyhow::{bail, Context};
use api_service::operations::dead_letters::DeadLetterQueue;
use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::sync::CUSTOMER;

const USAGE: &str = "usage: api-service [migrate | dead-letters [replay [<message-id>]]]";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = Settings::load().context("api-service cannot start")?;
    let migrations = shared_models::db::run_migrations(&settings.database_url).await.context("applying database migrations")?;
    if !migrations.is_empty() {
        log::info!("applied migrations: {}", migrations.join(", "));
    }
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => {}
        // Applies the migrations (done above) and exits.
        ["migrate"] => {
            log::info!("database is up to date");
            return Ok(());
        }
        ["dead-letters", rest @ ..] => return dead_letters(&settings, rest).await,
        _ => bail!("{USAGE}"),
    }
    let app = api_service::Application::build(settings).await.context("building api-service")?;
    log::info!("api-service listening on port {}", app.port());
    app.run_until_stopped().await.context("running api-service")
}

/// Lists Stripe's customer dead letters, or replays all or one of them;
/// prints what it found or moved as JSON.
async fn dead_letters(settings: &Settings, args: &[&str]) -> anyhow::Result<()> {
    let topology = Topology::new(&settings.amqp_prefix, settings.retry_base_delay_ms, settings.retry_max_delay_ms);
    let queue = DeadLetterQueue::new(&settings.amqp_url, &topology, &settings.integrations(), "stripe", CUSTOMER)?;
    let printed = match args {
        [] => serde_json::to_string_pretty(&queue.list(500).await?),
        ["replay", only @ ..] => {
            let only = match only {
                [] => None,
                [id] => Some(uuid::Uuid::parse_str(id).with_context(|| format!("'{id}' is not a message id"))?),
                _ => bail!("{USAGE}"),
            };
            let pool = shared_models::db::build_pool(&settings.database_url, 2)?;
            serde_json::to_string_pretty(&queue.replay(&pool, only).await?)
        }
        _ => bail!("{USAGE}"),
    };
    println!("{}", printed.context("printing the result")?);
    Ok(())
}
