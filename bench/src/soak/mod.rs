//! `bench soak [--seed N] [--minutes M] [--skew-minutes S] [--json FILE]`:
//! a randomized soak of the whole system, syncing with Stripe and
//! Salesforce. For M minutes it drives about 8 operations a second on all
//! three sides (our API, a person in Stripe, a person in Salesforce) while
//! one fault at a time hits it (kill -9 of a service, RabbitMQ or
//! PostgreSQL cut off, a Stripe storm, Salesforce's tokens expired, its
//! app revoked, its duplicate rule on, its delete log purged, a merge, its
//! clock stepping ahead) and Stripe and Salesforce play up at a low rate in
//! between. About 30% of the operations are on invoices (`invoice_choice`):
//! drafts, edits, finalize, pay, void and deletes through our API, and a
//! person's changes in Stripe's dashboard. Then it ends the faults, releases the deletes the mass-deletion
//! guard held, waits until the sync is quiet, and compares the three sides
//! without a reconcile: 0 lost, 0 doubled, 0 diverged, no customer deleted
//! that no one deleted, and each invoice the same on both sides with each
//! line once, or it fails. Every random choice comes from the
//! seed (printed), so a run can be replayed, as far as timing allows.

mod compare;
#[cfg(test)]
mod compare_invoice_tests;
#[cfg(test)]
mod compare_tests;
mod dashboard_invoices;
mod driver;
mod evidence;
mod evidence_invoices;
mod faults;
mod held;
mod invoice_choice;
mod invoice_ledger;
mod ledger;
mod ops;
mod ops_invoices;
mod ops_salesforce;
mod ops_stripe;
mod person;
mod rig;
mod settle;
mod sf_faults;
mod sf_person;
mod snapshot;
mod snapshot_invoices;
mod summary;
mod summary_invoices;
mod tombstones;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use compare::Verdict;
use ledger::Ledger;
use person::Person;
use rig::Rig;
use sf_faults::SalesforceFaults;
use sf_person::SalesforcePerson;
use summary::{SalesforceCalls, StripeCalls, Summary};

pub const USAGE: &str = "usage: bench soak [--seed N] [--minutes M] [--skew-minutes S] [--json FILE]
  --seed N          seed of every random choice (default: random, printed)
  --minutes M       how long the load and the faults go on; fractions allowed (default 10)
  --skew-minutes S  Salesforce's clock runs S minutes ahead of ours (negative: behind)
                    from the start, for the whole run (default 0)
  --keep-recycle-bin  purges of Salesforce's delete log never empty the recycle bin
                    first: looks past the finding that a held delete released after
                    the bin was emptied is never taken in (BENCHMARKS.md, Soak)
  --json FILE       also write the summary as JSON to FILE";

/// Operations per second.
const RATE: f64 = 8.0;
/// How long the sync may take to go quiet once the faults end.
const SETTLE_BOUND: Duration = Duration::from_secs(180);
/// The faults draw from their own stream of the seed, so the load's
/// choices do not shift when a fault does.
const FAULT_STREAM: u64 = 0x5eed_fa17;

struct Args {
    seed: u64,
    minutes: f64,
    skew_minutes: i64,
    keep_recycle_bin: bool,
    json: Option<std::path::PathBuf>,
}

fn args(mut rest: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut parsed = Args { seed: rand::random(), minutes: 10.0, skew_minutes: 0, keep_recycle_bin: false, json: None };
    while let Some(arg) = rest.next() {
        let mut value = || rest.next().with_context(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--seed" => parsed.seed = value()?.parse().context("--seed takes a whole number")?,
            "--minutes" => parsed.minutes = value()?.parse().context("--minutes takes a number")?,
            "--skew-minutes" => parsed.skew_minutes = value()?.parse().context("--skew-minutes takes a whole number")?,
            "--keep-recycle-bin" => parsed.keep_recycle_bin = true,
            "--json" => parsed.json = Some(value()?.into()),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument '{other}'\n{USAGE}"),
        }
    }
    if !(parsed.minutes > 0.0 && parsed.minutes.is_finite()) {
        bail!("--minutes must be above 0");
    }
    Ok(parsed)
}

/// Runs the soak; `Ok(true)` when it found nothing wrong.
pub async fn run(rest: impl Iterator<Item = String>) -> anyhow::Result<bool> {
    let args = args(rest)?;
    let bin_dir = crate::stack::binaries()?;
    let profile = bin_dir.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_owned();
    let mut skew = format!("Salesforce's clock {:+} min", args.skew_minutes);
    if args.keep_recycle_bin {
        skew.push_str(", its recycle bin never emptied");
    }
    println!("soak: seed {}, {} minute(s), {RATE} operations/s, {skew}, {profile} build", args.seed, args.minutes);
    let rig = Arc::new(Rig::start(bin_dir).await?);
    println!("service logs: {}", rig.stack.log_dir().display());
    let outcome = soak(&args, &profile, rig.clone()).await;
    let rig = Arc::try_unwrap(rig).ok().context("the system is still in use")?;
    let mut summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            let kept = rig.stop(true).await.unwrap_or_default();
            return Err(e.context(format!("the soak could not go on; kept {kept}")));
        }
    };
    summary.print();
    let passed = summary.passed();
    summary.evidence = rig.stop(!passed).await;
    if let Some(kept) = &summary.evidence {
        println!("kept for diagnosis: {kept}");
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?).with_context(|| format!("writing {}", path.display()))?;
        println!("JSON summary: {}", path.display());
    }
    Ok(passed)
}

/// The load and the faults, then quiescence and the comparison; on a
/// failed comparison, the evidence is written next to the logs.
async fn soak(args: &Args, profile: &str, rig: Arc<Rig>) -> anyhow::Result<Summary> {
    let ledger = Arc::new(Mutex::new(Ledger::new(args.seed)));
    let person = Person::new(&rig.tombstones.url)?;
    let sf_person = SalesforcePerson::new(rig.salesforce.controls());
    // Before anything is stamped: a clock set back later would freeze stamps.
    let skew = chrono::TimeDelta::minutes(args.skew_minutes);
    rig.salesforce.skew_clock(skew);
    let http = testkit::http_builder().timeout(Duration::from_secs(10)).build()?;
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(args.minutes * 60.0);
    // A fault that cannot be ended (a service that will not start) ends the load too.
    let stop = Arc::new(AtomicBool::new(false));
    let deletes_paused = Arc::new(AtomicBool::new(false));
    let operator = ops::Operator {
        rig: rig.clone(),
        ledger: ledger.clone(),
        person: person.clone(),
        sf_person: sf_person.clone(),
        sf_deletes_paused: deletes_paused.clone(),
        http: http.clone(),
    };
    let salesforce = SalesforceFaults {
        person: sf_person.clone(),
        ledger: ledger.clone(),
        deletes_paused,
        skew: Mutex::new(skew),
        keep_recycle_bin: args.keep_recycle_bin,
    };
    let faults = async {
        let (played, failed_on_purpose) = faults::run(&rig, &salesforce, args.seed ^ FAULT_STREAM, started, until).await;
        stop.store(played.is_err(), Ordering::SeqCst);
        (played, failed_on_purpose)
    };
    let (_, (played, failed_on_purpose)) = tokio::join!(driver::run(operator, args.seed, RATE, until, stop.clone()), faults);
    let seconds = started.elapsed().as_secs_f64();
    let played = played.context("playing the faults")?;

    eprintln!("  load over after {seconds:.0} s; ending the faults and waiting for the sync to go quiet");
    rig.heal().await.context("ending the faults")?;
    let settled = settle::settle(&rig, &http, SETTLE_BOUND).await;
    let snapshot = snapshot::Snapshot::read(&rig, &person, &sf_person, &http, settled.released).await?;
    let skew_minutes = salesforce.skew.lock().map(|s| s.num_minutes()).unwrap_or_default();
    drop(salesforce);
    let ledger = Arc::try_unwrap(ledger).ok().context("the ledger is still in use")?.into_inner().unwrap_or_else(|e| e.into_inner());
    let findings = compare::compare(&ledger, &snapshot);
    let invoice_snapshot = snapshot_invoices::InvoiceSnapshot::read(&rig.stack.db.url, &rig.double).await?;
    let customer_links: HashMap<String, String> =
        snapshot.local.iter().filter_map(|c| c.external_id.clone().map(|e| (e, c.id.clone()))).collect();
    let judged = compare::invoices::compare_invoices(&ledger, &invoice_snapshot, &customer_links);
    let invoices = summary_invoices::InvoiceFigures::of(&ledger, &invoice_snapshot, judged);
    let summary = Summary {
        seed: args.seed,
        minutes: args.minutes,
        seconds,
        profile: profile.to_owned(),
        operations: ledger.ops.clone(),
        customers: ledger.cohorts(),
        uncertain: ledger.customers.iter().filter(|c| c.uncertain).count(),
        faults: faults::counts(&played),
        fault_log: played,
        stripe: StripeCalls::of(&rig.double),
        salesforce: SalesforceCalls::of(&rig.salesforce, failed_on_purpose),
        sides: summary::Sides::of(&snapshot),
        salesforce_skew_minutes: skew_minutes,
        guarded: snapshot.guarded.clone(),
        poller_missed: snapshot.poller_missed.clone(),
        settled: settled.quiet,
        settle_seconds: settled.took.as_secs_f64(),
        backlog: settled.backlog,
        events_missed: snapshot.events_missed.len(),
        lost: Summary::count(&findings, Verdict::Lost),
        doubled: Summary::count(&findings, Verdict::Doubled),
        diverged: Summary::count(&findings, Verdict::Diverged),
        deleted_unasked: Summary::count(&findings, Verdict::DeletedUnasked),
        findings,
        invoices,
        evidence: None,
    };
    if !summary.passed() {
        let dir = rig.stack.log_dir();
        evidence::write_double_log(dir, &rig.double)?;
        evidence::write_salesforce_log(dir, &rig.salesforce)?;
        evidence::write_findings(dir, &ledger, &snapshot, &summary.findings)?;
        evidence_invoices::write(dir, &ledger, &invoice_snapshot, &summary.invoices.findings)?;
    }
    Ok(summary)
}
