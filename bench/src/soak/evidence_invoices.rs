//! What a failed run leaves about its invoices: the ledger of every
//! invoice's operations, a person's calls in the dashboard, and per invoice
//! finding both sides of it with every log line that names it.

use std::fmt::Write as _;
use std::path::Path;

use super::compare::Finding;
use super::ledger::Ledger;
use super::snapshot_invoices::InvoiceSnapshot;

pub fn write(dir: &Path, ledger: &Ledger, snap: &InvoiceSnapshot, findings: &[Finding]) -> anyhow::Result<()> {
    std::fs::write(dir.join("soak-invoices.json"), serde_json::to_string_pretty(&ledger.invoices)?)?;
    if findings.is_empty() {
        return Ok(());
    }
    let out = dir.join("findings");
    std::fs::create_dir_all(&out)?;
    for (n, finding) in findings.iter().enumerate() {
        let mut text = String::new();
        let _ = writeln!(text, "{:?}: {}", finding.verdict, finding.what);
        let mut ids: Vec<String> = finding.local_ids.iter().chain(&finding.stripe_ids).cloned().collect();
        let named = |id: &Option<String>| id.as_ref().is_some_and(|id| ids.contains(id));
        let tracked = ledger.invoices.iter().find(|i| named(&i.local_id) || named(&i.stripe_id));
        if let Some(tracked) = tracked {
            let _ = writeln!(text, "ledger: {}", serde_json::to_string(tracked).unwrap_or_default());
            ids.extend(tracked.local_id.clone());
            ids.extend(tracked.stripe_id.clone());
        }
        for local in snap.local.iter().filter(|l| ids.contains(&l.id) || l.external_id.as_ref().is_some_and(|e| ids.contains(e))) {
            let _ = writeln!(text, "here: {}", serde_json::to_string(local).unwrap_or_default());
        }
        for remote in snap.remote.iter().filter(|r| ids.contains(&r.id) || r.ours.as_ref().is_some_and(|o| ids.contains(o))) {
            let _ = writeln!(text, "Stripe: {}", serde_json::to_string(remote).unwrap_or_default());
        }
        let mut logs = String::new();
        for file in std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "log")) {
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            for line in std::fs::read_to_string(&file).unwrap_or_default().lines().filter(|l| ids.iter().any(|id| l.contains(id.as_str())))
            {
                let _ = writeln!(logs, "{name}: {line}");
            }
        }
        let file = out.join(format!("invoice-{n:03}-{:?}.log", finding.verdict).to_lowercase());
        std::fs::write(&file, format!("{text}\nlog lines naming {ids:?}:\n{logs}"))?;
        println!("\n{text}  log lines: {}", file.display());
    }
    Ok(())
}
