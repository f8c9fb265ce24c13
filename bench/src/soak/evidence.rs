//! What a failed run leaves to diagnose it, next to the service logs: the
//! Stripe and Salesforce doubles' call logs, the ledger of every customer's
//! operations, and per finding the customers concerned (here, in Stripe and
//! in Salesforce) with every log line that names them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::compare::Finding;
use super::ledger::Ledger;
use super::snapshot::Snapshot;

/// Findings printed in full; the rest are in the files.
const PRINTED: usize = 25;

/// The double's calls in the order they landed (or were answered), one a line.
pub fn write_double_log(dir: &Path, double: &testkit::StripeDouble) -> anyhow::Result<()> {
    let mut text = String::new();
    for call in double.log() {
        let key = call.idempotency_key.as_deref().unwrap_or("-");
        let _ = writeln!(
            text,
            "{} {} key={key} fault={:?} status={} replayed={} form={:?}",
            call.method, call.path, call.fault, call.status, call.replayed, call.form
        );
    }
    std::fs::write(dir.join("stripe-double.log"), text).context("writing the double's log")
}

/// The Salesforce double's calls, one a line, and every Contact at the end.
pub fn write_salesforce_log(dir: &Path, org: &testkit::SalesforceDouble) -> anyhow::Result<()> {
    let mut text = String::new();
    for call in org.calls() {
        let _ = writeln!(text, "{} {}?{} status={} client={:?}", call.method, call.path, call.query, call.status, call.client);
    }
    std::fs::write(dir.join("salesforce-double.log"), text).context("writing the Salesforce double's log")?;
    let contacts = serde_json::to_string_pretty(&org.contacts())?;
    std::fs::write(dir.join("salesforce-contacts.json"), contacts).context("writing the Contacts")
}

/// Every `.log` line in `dir` naming one of `ids`, with its file name.
fn lines_naming(dir: &Path, ids: &[&str]) -> String {
    let mut out = String::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut files: Vec<PathBuf> =
        entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "log")).collect();
    files.sort();
    for file in files {
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for line in text.lines().filter(|l| ids.iter().any(|id| !id.is_empty() && l.contains(id))) {
            let _ = writeln!(out, "{name}: {line}");
        }
    }
    out
}

/// Writes a file per finding into `<dir>/findings/` and prints each (up to
/// `PRINTED`) with its customers and the path of its log lines.
pub fn write_findings(dir: &Path, ledger: &Ledger, snap: &Snapshot, findings: &[Finding]) -> anyhow::Result<()> {
    let out = dir.join("findings");
    std::fs::create_dir_all(&out)?;
    let ledger_json = serde_json::to_string_pretty(&ledger.customers)?;
    std::fs::write(dir.join("soak-ledger.json"), ledger_json)?;
    for (n, finding) in findings.iter().enumerate() {
        let mut text = String::new();
        let _ = writeln!(text, "{:?}: {}", finding.verdict, finding.what);
        let tracked = finding.tracked.and_then(|i| ledger.customers.get(i)).or_else(|| {
            ledger.customers.iter().find(|c| {
                c.local_id.as_ref().is_some_and(|id| finding.local_ids.contains(id))
                    || c.stripe_id.as_ref().is_some_and(|id| finding.stripe_ids.contains(id))
                    || c.salesforce_id.as_ref().is_some_and(|id| finding.salesforce_ids.contains(id))
            })
        });
        let mut ids: Vec<&str> =
            finding.local_ids.iter().chain(&finding.stripe_ids).chain(&finding.salesforce_ids).map(String::as_str).collect();
        if let Some(tracked) = tracked {
            let _ = writeln!(text, "ledger: {:?}, expected {:?}, deleted {}", tracked.cohort, tracked.expected, tracked.deleted);
            for step in &tracked.history {
                let _ = writeln!(text, "  {step}");
            }
            ids.extend(tracked.local_id.as_deref());
            ids.extend(tracked.stripe_id.as_deref());
            ids.extend(tracked.salesforce_id.as_deref());
            ids.extend(tracked.merged_ids.iter().map(String::as_str));
        }
        ids.sort_unstable();
        ids.dedup();
        let linked = |e: Option<&str>| e.is_some_and(|e| ids.contains(&e));
        for local in snap
            .local
            .iter()
            .filter(|c| ids.contains(&c.id.as_str()) || linked(c.external_id.as_deref()) || linked(c.sf_external_id.as_deref()))
        {
            let _ = writeln!(text, "here: {}", serde_json::to_string(local).unwrap_or_default());
        }
        for remote in snap.remote.iter().filter(|r| ids.contains(&r.id.as_str()) || r.ours.as_deref().is_some_and(|o| ids.contains(&o))) {
            let _ = writeln!(text, "Stripe: {}", serde_json::to_string(remote).unwrap_or_default());
        }
        let named = |c: &&crate::soak::sf_person::Contact| {
            ids.contains(&c.id.as_str())
                || c.ours.as_deref().is_some_and(|o| ids.contains(&o))
                || c.master.as_deref().is_some_and(|m| ids.contains(&m))
        };
        for contact in snap.contacts.iter().filter(named) {
            let _ = writeln!(text, "Salesforce: {}", serde_json::to_string(contact).unwrap_or_default());
        }
        let file = out.join(format!("{n:03}-{:?}.log", finding.verdict).to_lowercase());
        let logs = lines_naming(dir, &ids);
        std::fs::write(&file, format!("{text}\nlog lines naming {ids:?}:\n{logs}"))?;
        if n < PRINTED {
            print!("\n{text}");
            println!("  log lines: {}", file.display());
        }
    }
    if findings.len() > PRINTED {
        println!("\n... {} more findings in {}", findings.len() - PRINTED, out.display());
    }
    Ok(())
}
