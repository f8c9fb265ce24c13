//! One invoice's lines held to Stripe's: each local line once in Stripe,
//! under our line id (`metadata.catalog_sync_line`), billing the same
//! (description, quantity, amount = quantity × unit amount), and no other
//! line there. A line a person added in Stripe that came in here but was
//! never written back carries no id of ours yet: it stands for the local
//! line that bills the same, and is counted as unclaimed (not a fault:
//! both sides bill the same; the next write of the invoice claims it).

use serde::Deserialize;

use super::Verdict;
use crate::soak::snapshot_invoices::RemoteLine;

/// A local line as the invoices table keeps it.
#[derive(Debug, Clone, Deserialize)]
pub struct LocalLine {
    pub id: String,
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
}

fn bills(remote: &RemoteLine, local: &LocalLine) -> bool {
    remote.description.as_deref() == Some(local.description.as_str())
        && remote.quantity.parse::<f64>().ok() == Some(local.quantity as f64)
        && remote.amount == local.quantity * local.unit_amount
}

fn show(remote: &RemoteLine) -> String {
    format!("{} ({:?} x{} = {})", remote.id, remote.description, remote.quantity, remote.amount)
}

/// What is wrong with the lines (each with its verdict), and how many
/// Stripe lines stood for a local line without carrying its id.
pub fn judge(local: &[LocalLine], remote: &[RemoteLine]) -> (Vec<(Verdict, String)>, usize) {
    let mut problems = Vec::new();
    let mut used = vec![false; remote.len()];
    let mut unclaimed = 0;
    let mut unmatched: Vec<&LocalLine> = Vec::new();
    for line in local {
        let carrying: Vec<usize> = (0..remote.len()).filter(|&n| remote[n].ours.as_deref() == Some(line.id.as_str())).collect();
        for &n in &carrying {
            used[n] = true;
        }
        match carrying.as_slice() {
            [] => unmatched.push(line),
            [one] if bills(&remote[*one], line) => {}
            [one] => problems.push((
                Verdict::Diverged,
                format!(
                    "line {} is {:?} x{} at {} here, {} in Stripe",
                    line.id,
                    line.description,
                    line.quantity,
                    line.unit_amount,
                    show(&remote[*one])
                ),
            )),
            more => {
                let shown: Vec<String> = more.iter().map(|&n| show(&remote[n])).collect();
                problems.push((Verdict::Doubled, format!("line {} is in Stripe {} times: {}", line.id, more.len(), shown.join(", "))));
            }
        }
    }
    for line in unmatched {
        let free = (0..remote.len()).find(|&n| !used[n] && remote[n].ours.is_none() && bills(&remote[n], line));
        match free {
            Some(n) => {
                used[n] = true;
                unclaimed += 1;
            }
            None => problems.push((
                Verdict::Diverged,
                format!("line {} ({:?} x{} at {}) is not in Stripe", line.id, line.description, line.quantity, line.unit_amount),
            )),
        }
    }
    for line in remote.iter().zip(&used).filter(|(_, used)| !**used).map(|(line, _)| line) {
        problems.push((Verdict::Diverged, format!("Stripe line {} is no line here", show(line))));
    }
    (problems, unclaimed)
}
