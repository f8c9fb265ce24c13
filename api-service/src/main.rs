use anyhow::{bail, Context};
use api_service::operations::api_keys;
use api_service::operations::dead_letters::DeadLetterQueue;
use secrecy::ExposeSecret;
use shared_models::broker::Topology;
use shared_models::config::Settings;
use shared_models::pairs::Registry;
use uuid::Uuid;

const USAGE: &str =
    "usage: api-service [migrate | dead-letters [replay [<message-id>]] | keys create <name> [<scopes>] | keys list | keys revoke <id>]
  <scopes>: comma-separated read, write, operate (default: all three)";

enum Command {
    Serve,
    Migrate,
    ListDeadLetters,
    /// All dead letters, or the one with this message id.
    ReplayDeadLetters(Option<Uuid>),
    /// A new API key: its name and scopes.
    CreateKey(String, String),
    ListKeys,
    RevokeKey(Uuid),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shared_models::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A mistyped command is told before anything is read or connected.
    let command = parse(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    let settings = Settings::load().context("api-service cannot start")?;
    let migrations = shared_models::db::run_migrations(&settings.database.url).await.context("applying database migrations")?;
    if !migrations.is_empty() {
        log::info!("applied migrations: {}", migrations.join(", "));
    }
    match command {
        Command::Serve => {}
        // Applies the migrations (done above) and exits.
        Command::Migrate => {
            log::info!("database is up to date");
            return Ok(());
        }
        Command::ListDeadLetters => return print_json(&dead_letter_queue(&settings)?.list(500).await?),
        Command::CreateKey(name, scopes) => {
            let pool = shared_models::db::build_pool(&settings.database.url, 2)?;
            let scopes = api_keys::parse_scopes(&scopes)?;
            let (id, key) = api_keys::create(&pool, &name, &scopes).await?;
            let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            // The key alone on stdout (`KEY=$(api-service keys create me)`); it is shown this once.
            eprintln!("API key {id} '{name}' created with scopes {}; it is not shown again:", scopes.join(","));
            println!("{}", key.expose_secret());
            return Ok(());
        }
        Command::ListKeys => {
            let pool = shared_models::db::build_pool(&settings.database.url, 2)?;
            return print_json(&api_keys::list(&pool).await?);
        }
        Command::RevokeKey(id) => {
            let pool = shared_models::db::build_pool(&settings.database.url, 2)?;
            if !api_keys::revoke(&pool, id).await? {
                bail!("no live API key has id {id}");
            }
            eprintln!("API key {id} revoked (services stop accepting it within {:?})", shared_models::auth::CACHE_FOR);
            return Ok(());
        }
        Command::ReplayDeadLetters(only) => {
            let pool = shared_models::db::build_pool(&settings.database.url, 2)?;
            return print_json(&dead_letter_queue(&settings)?.replay(&pool, only).await?);
        }
    }
    let app = api_service::Application::build(settings).await.context("building api-service")?;
    log::info!("api-service listening on port {}", app.port());
    app.run_until_stopped().await.context("running api-service")
}

fn parse(args: &[&str]) -> anyhow::Result<Command> {
    Ok(match args {
        [] => Command::Serve,
        ["migrate"] => Command::Migrate,
        ["keys", "create", name] => Command::CreateKey((*name).to_owned(), String::new()),
        ["keys", "create", name, scopes] => Command::CreateKey((*name).to_owned(), (*scopes).to_owned()),
        ["keys", "list"] => Command::ListKeys,
        ["keys", "revoke", id] => Command::RevokeKey(Uuid::parse_str(id).with_context(|| format!("'{id}' is not a key id; {USAGE}"))?),
        ["dead-letters"] => Command::ListDeadLetters,
        ["dead-letters", "replay"] => Command::ReplayDeadLetters(None),
        ["dead-letters", "replay", id] => {
            Command::ReplayDeadLetters(Some(Uuid::parse_str(id).with_context(|| format!("'{id}' is not a message id; {USAGE}"))?))
        }
        _ => bail!("{USAGE}"),
    })
}

/// The dead letters of the registry's first pair (Stripe's customers).
fn dead_letter_queue(settings: &Settings) -> anyhow::Result<DeadLetterQueue> {
    let topology = Topology::new(&settings.broker.prefix, settings.sync.retry_base_delay_ms, settings.sync.retry_max_delay_ms);
    let registry = Registry::from_settings(settings)?;
    Ok(DeadLetterQueue::new(&settings.broker.url, &topology, &registry, None, None)?)
}

/// What a command found or did, for people and scripts alike.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value).context("printing the result")?);
    Ok(())
}
