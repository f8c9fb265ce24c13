//! The tests' Salesforce double (`testkit::salesforce_double`) as a program,
//! for the local stack when no real org is configured: `scripts/run-local.sh`
//! and docker compose start it, as they start localstripe for Stripe, so the
//! three-way sync runs offline. Its Contacts live in memory and are gone
//! when it stops.
//!
//! It prints the settings that point the services at it, in `.env` form, on
//! stdout (run-local.sh reads them from there); its log goes to stderr.
//! A person's edits in "Salesforce" are `/_control/contacts` (README.md).

use std::process::ExitCode;
use std::time::Duration;

use testkit::salesforce_double::{CLIENT_ID, CLIENT_SECRET};
use testkit::SalesforceDouble;
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: salesforce-double [--bind <address>] [--port <port>] [--url <url>]
  --bind  the address to listen on (SALESFORCE_DOUBLE_BIND, default 127.0.0.1; 0.0.0.0 in a container)
  --port  the port (SALESFORCE_DOUBLE_PORT, default 8430; 0 picks a free one)
  --url   how the services reach it, its instance_url (SALESFORCE_DOUBLE_URL, default http://<bind>:<port>)";

/// An Enterprise org's base allowance. The double's default (15,000) is
/// spent in under a day by polling every 10 s (two calls), after which the
/// sync would wait for the quota; this much lasts for days.
const DAILY_QUOTA: u64 = 100_000;

struct Options {
    bind: String,
    port: String,
    url: Option<String>,
}

/// The flags win over the environment, the environment over the defaults.
fn options(args: &[String]) -> Result<Options, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut options = Options {
        bind: env("SALESFORCE_DOUBLE_BIND").unwrap_or_else(|| "127.0.0.1".into()),
        port: env("SALESFORCE_DOUBLE_PORT").unwrap_or_else(|| "8430".into()),
        url: env("SALESFORCE_DOUBLE_URL"),
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--bind" => options.bind = value()?,
            "--port" => options.port = value()?,
            "--url" => options.url = Some(value()?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    options.port.parse::<u16>().map_err(|_| format!("the port must be a number from 0 to 65535, not {}", options.port))?;
    Ok(options)
}

#[tokio::main]
async fn main() -> ExitCode {
    shared_models::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match options(&args) {
        Ok(options) => options,
        Err(why) => {
            eprintln!("salesforce-double: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // An IPv6 address needs brackets before the port.
    let host = if options.bind.contains(':') { format!("[{}]", options.bind) } else { options.bind.clone() };
    let double = match SalesforceDouble::start_at(&format!("{host}:{}", options.port), options.url.as_deref()).await {
        Ok(double) => double,
        Err(e) => {
            log::error!("cannot listen on {host}:{}: {e}", options.port);
            return ExitCode::FAILURE;
        }
    };
    double.set_quota(0, DAILY_QUOTA);
    println!("SALESFORCE_LOGIN_URL={}\nSALESFORCE_CLIENT_ID={CLIENT_ID}\nSALESFORCE_CLIENT_SECRET={CLIENT_SECRET}", double.url());
    log::info!(
        "the Salesforce double serves {} (listening on {host}): OAuth client credentials and the REST API for Contacts; \
         a person's edits under /_control/contacts",
        double.url()
    );

    // The org's count of calls only grows: a new day every 24 hours, as
    // Salesforce's rolling window would have it, and the call log (kept for
    // GET /_control/calls) cleared with it, so memory stays bounded.
    let controls = double.controls();
    let days = tokio::spawn(async move {
        let mut day = tokio::time::interval(Duration::from_secs(24 * 60 * 60));
        day.tick().await;
        loop {
            day.tick().await;
            controls.restore_quota();
            controls.clear_calls();
        }
    });

    let stopped = match signal(SignalKind::terminate()) {
        Ok(mut term) => tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
        },
        Err(e) => {
            log::error!("cannot listen for SIGTERM: {e}");
            return ExitCode::FAILURE;
        }
    };
    log::info!("{stopped}: stopping; the double's Contacts are gone with it");
    days.abort();
    double.stop().await;
    ExitCode::SUCCESS
}
