//! `cargo run --release -p bench -- [--quick] [--json FILE]`: starts the
//! real services on a fresh database, drives them, and prints every figure
//! next to the limit the machine allows in the same run, then the budget.
//! `bench soak ...` runs the randomized fault soak instead (see `soak`).

mod api;
mod client;
mod drive;
mod growth;
mod hang;
mod invoices;
mod inward;
mod limits;
mod machine;
mod memory;
mod outward;
mod report;
mod salesforce;
mod soak;
mod stack;
mod stats;
mod suite;
mod workers;

use anyhow::{bail, Context};

use crate::growth::Probe;
use crate::inward::Clock;
use crate::report::Report;
use crate::suite::{Bench, Sizes};

const USAGE: &str = "usage: bench [--quick] [--json FILE]
       bench soak [--seed N] [--minutes M] [--json FILE]   (bench soak --help)
  --quick      a smoke run of every section (under a minute); its figures mean little
  --json FILE  also write the report as JSON to FILE";

/// Customers in the catalog for the first growth probe.
const SMALL_CATALOG: i64 = 1_000;

struct Args {
    quick: bool,
    json: Option<std::path::PathBuf>,
}

fn args() -> anyhow::Result<Args> {
    let mut parsed = Args { quick: false, json: None };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => parsed.quick = true,
            "--json" => parsed.json = Some(args.next().context("--json needs a file name")?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument '{other}'\n{USAGE}"),
        }
    }
    Ok(parsed)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("soak") {
        // Lost, doubled or diverged customers: a failed run, for scripts too.
        if !soak::run(std::env::args().skip(2)).await? {
            std::process::exit(1);
        }
        return Ok(());
    }
    let args = args()?;
    let bin_dir = stack::binaries()?;
    let profile = bin_dir.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
    let sizes = if args.quick { Sizes::quick() } else { Sizes::full() };
    let mut bench = Bench::start(bin_dir, sizes, Report { quick: args.quick, ..Report::default() }).await?;
    bench.report.machine = machine::describe(&bench.stack.db.url, &profile).await;
    machine::print(&bench.report.machine);
    println!("service logs: {}", bench.stack.log_dir().display());

    let outcome = sections(&mut bench).await;
    let seconds = bench.started.elapsed().as_secs_f64();
    let mut report = bench.finish().await;
    let (small, large) = outcome?;
    growth::compare(&mut report, &small, &large);
    report.seconds = seconds;
    report.print_budget();
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?).with_context(|| format!("writing {}", path.display()))?;
        println!("JSON report: {}", path.display());
    }
    Ok(())
}

/// Sections 1-4, 7, 8 and 9 between the two growth probes (section 6); memory (5)
/// is read as the services stop.
async fn sections(bench: &mut Bench) -> anyhow::Result<(Probe, Probe)> {
    let clock = Clock::new();
    let customers = growth::seed(bench, SMALL_CATALOG).await?;
    let small = growth::probe(bench, &clock, customers).await.context("growth probe, small catalog")?;
    api::run(bench).await.context("section 1, API")?;
    outward::run(bench).await.context("section 2, outward lag")?;
    inward::run(bench, &clock).await.context("section 3, inward")?;
    workers::run(bench).await.context("section 4, workers")?;
    hang::run(bench).await.context("section 7, Stripe hangs")?;
    salesforce::run(bench).await.context("section 8, Salesforce")?;
    invoices::run(bench).await.context("section 9, invoices")?;
    let customers = growth::seed(bench, bench.sizes.grown_to).await?;
    let large = growth::probe(bench, &clock, customers).await.context("growth probe, large catalog")?;
    Ok((small, large))
}
