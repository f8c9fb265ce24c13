//! The invoices of both sides held to each other and to what the soak did.
//! - lost: an invoice here with no Stripe invoice; one made in Stripe for
//!   a customer linked here that never came in; an invoice the API made
//!   missing here, or (changed through our API only) not on its last
//!   accepted description and lines; a delete accepted here not done;
//! - doubled: two Stripe invoices carrying one id of ours, two local
//!   invoices linked to one Stripe invoice, a line twice in Stripe;
//! - diverged: an invoice whose sides differ (status, description,
//!   currency, collection method, metadata of its own, lines), a draft
//!   deleted here still live in Stripe, a Stripe invoice naming an invoice
//!   not here, or its link `failed`.

use std::collections::HashMap;

use serde::Serialize;

use super::invoice_lines::{judge, LocalLine};
use super::{Finding, Verdict};
use crate::soak::invoice_ledger::{ExpectedLine, Origin};
use crate::soak::ledger::Ledger;
use crate::soak::snapshot_invoices::{InvoiceSnapshot, LocalInvoice, RemoteInvoice};

/// Figures of the invoice comparison, next to its findings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Judged {
    pub findings: Vec<Finding>,
    /// Stripe lines standing for a local line without carrying its id.
    pub unclaimed_lines: usize,
}

fn finding(verdict: Verdict, what: String, local: &[&str], stripe: &[&str]) -> Finding {
    let owned = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect();
    Finding {
        verdict,
        what: format!("invoice: {what}"),
        local_ids: owned(local),
        stripe_ids: owned(stripe),
        salesforce_ids: vec![],
        tracked: None,
    }
}

fn lines_of(local: &LocalInvoice) -> Vec<LocalLine> {
    serde_json::from_str(&local.lines).unwrap_or_default()
}

/// The metadata of a product's own: what Stripe holds, less the sync's keys.
fn own_metadata(remote: &RemoteInvoice) -> HashMap<String, String> {
    let own = remote.metadata.iter().filter(|(k, _)| !k.starts_with("catalog_sync_"));
    own.map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()
}

/// `customer_links`: Stripe customer id -> local customer id, for every
/// customer linked here.
pub fn compare_invoices(ledger: &Ledger, snap: &InvoiceSnapshot, customer_links: &HashMap<String, String>) -> Judged {
    let mut judged = Judged::default();
    let mut by_ours: HashMap<&str, Vec<&RemoteInvoice>> = HashMap::new();
    for remote in &snap.remote {
        by_ours.entry(remote.ours.as_deref().unwrap_or_default()).or_default().push(remote);
    }
    let remote_by_id: HashMap<&str, &RemoteInvoice> = snap.remote.iter().map(|r| (r.id.as_str(), r)).collect();
    let local_by_id: HashMap<&str, &LocalInvoice> = snap.local.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut linked: HashMap<&str, Vec<&str>> = HashMap::new();
    for local in &snap.local {
        if let Some(external) = local.external_id.as_deref() {
            linked.entry(external).or_default().push(local.id.as_str());
        }
    }
    let findings = &mut judged.findings;
    for local in &snap.local {
        let mut standing: Vec<&RemoteInvoice> = by_ours.get(local.id.as_str()).cloned().unwrap_or_default();
        standing.extend(local.external_id.as_deref().and_then(|e| remote_by_id.get(e).copied()));
        standing.sort_by_key(|r| r.id.as_str());
        standing.dedup_by_key(|r| r.id.as_str());
        let ids: Vec<&str> = standing.iter().map(|r| r.id.as_str()).collect();
        if local.link_status.as_deref() == Some("failed") {
            let why = local.last_error.clone().unwrap_or_default();
            findings.push(finding(Verdict::Diverged, format!("its Stripe link failed: {why}"), &[&local.id], &ids));
        }
        match (local.deleted, standing.as_slice()) {
            (true, []) => {}
            (true, _) => findings.push(finding(Verdict::Diverged, "deleted here, live in Stripe".into(), &[&local.id], &ids)),
            (false, []) => findings.push(finding(Verdict::Lost, format!("{} here, no Stripe invoice", local.status), &[&local.id], &[])),
            (false, [remote]) => {
                let (problems, unclaimed) = agreement(local, remote);
                judged.unclaimed_lines += unclaimed;
                findings.extend(problems.into_iter().map(|(verdict, what)| finding(verdict, what, &[&local.id], &[&remote.id])));
            }
            (false, more) => {
                findings.push(finding(Verdict::Doubled, format!("{} Stripe invoices stand for it", more.len()), &[&local.id], &ids))
            }
        }
    }
    for remote in &snap.remote {
        let here = linked.get(remote.id.as_str()).cloned().unwrap_or_default();
        if here.len() > 1 {
            findings.push(finding(
                Verdict::Doubled,
                format!("{} local invoices linked to one Stripe invoice", here.len()),
                &here,
                &[&remote.id],
            ));
        }
        match remote.ours.as_deref() {
            Some(ours) if !local_by_id.contains_key(ours) => {
                findings.push(finding(Verdict::Diverged, "names an invoice not here".into(), &[ours], &[&remote.id]));
            }
            Some(_) => {}
            // Made in Stripe: here once, if its customer is linked here.
            None if here.is_empty() && customer_links.contains_key(&remote.customer) => {
                let what = format!("made in Stripe for customer {}, never came in", remote.customer);
                findings.push(finding(Verdict::Lost, what, &[], &[&remote.id]));
            }
            None => {}
        }
    }
    for tracked in &ledger.invoices {
        let local = tracked.local_id.as_deref().and_then(|id| local_by_id.get(id).copied());
        match (tracked.origin, tracked.local_id.as_deref(), local) {
            (Origin::Api, Some(id), None) => findings.push(finding(Verdict::Lost, "made through our API, not here".into(), &[id], &[])),
            (Origin::Api, Some(id), Some(local)) if tracked.deleted && !local.deleted => {
                findings.push(finding(Verdict::Lost, "deleted through our API, live here".into(), &[id], &[]));
            }
            (Origin::Api, Some(id), Some(local)) if tracked.single_sided() && !tracked.deleted => {
                let lines: Vec<ExpectedLine> = lines_of(local)
                    .into_iter()
                    .map(|l| ExpectedLine { id: l.id, description: l.description, quantity: l.quantity, unit_amount: l.unit_amount })
                    .collect();
                if local.description != tracked.description || lines != tracked.lines {
                    let what = format!(
                        "not on its last accepted change: {:?} {:?} here, {:?} {:?} accepted",
                        local.description, lines, tracked.description, tracked.lines
                    );
                    findings.push(finding(Verdict::Lost, what, &[id], &[]));
                }
            }
            _ => {}
        }
    }
    judged
}

/// Where a local invoice and its Stripe invoice differ, and how many of
/// their lines are unclaimed in Stripe.
fn agreement(local: &LocalInvoice, remote: &RemoteInvoice) -> (Vec<(Verdict, String)>, usize) {
    let mut problems = Vec::new();
    let mut differ = |field: &str, here: String, there: String| {
        if here != there {
            problems.push((Verdict::Diverged, format!("{field} is {here} here, {there} in Stripe")));
        }
    };
    differ("status", local.status.clone(), remote.status.clone());
    differ("description", format!("{:?}", local.description), format!("{:?}", remote.description));
    differ("currency", local.currency.clone(), remote.currency.clone());
    differ("collection method", local.collection_method.clone(), remote.collection_method.clone());
    let mine: HashMap<String, String> = serde_json::from_str(&local.metadata).unwrap_or_default();
    let theirs = own_metadata(remote);
    if mine != theirs {
        let (mut mine, mut theirs): (Vec<_>, Vec<_>) = (mine.into_iter().collect(), theirs.into_iter().collect());
        mine.sort();
        theirs.sort();
        problems.push((Verdict::Diverged, format!("metadata is {mine:?} here, {theirs:?} in Stripe")));
    }
    let (lines, unclaimed) = judge(&lines_of(local), &remote.lines);
    problems.extend(lines);
    (problems, unclaimed)
}
