//! One write made true in Stripe: while the invoice is a draft there, its
//! fields and lines are made the record's (lines matched by the line id
//! each item carries); then it is moved along Stripe's state machine to the
//! record's status. Every call is sent only if Stripe lacks what it makes,
//! under a key of its own step, so a resend after a crash adds nothing
//! twice. A status Stripe cannot move to the record's (paid there, say,
//! while it is void here) means a later change was made there: it wins.

use std::collections::HashSet;

use invoice_catalog::InvoiceRecord;
use reqwest::Method;
use shared_models::domain::invoice::InvoiceLine;
use sync_core::SyncError;

use super::wire::{line_form, metadata_form, RemoteInvoice, RemoteLine, INVOICE_VERSION_KEY, LINE_ID_KEY};
use super::{Page, StripeInvoices};

impl StripeInvoices {
    pub(super) async fn converge(&self, invoice: RemoteInvoice, record: &InvoiceRecord, key: &str) -> Result<(), SyncError> {
        let target = record.status.as_str();
        if invoice.status() == "draft" {
            let lines = self.all_lines(&invoice).await?;
            let wanted = self.drop_lines(&lines, record, key).await?;
            self.set_fields(&invoice, record, key, true).await?;
            self.add_lines(&invoice, &wanted, record, key).await?;
        } else if matches!(invoice.status(), "paid" | "void") && invoice.description != record.description {
            // Stripe may refuse a paid or void invoice's description: its own stands.
            let message = format!("the invoice is {} in Stripe, which keeps its description: that wins", invoice.status());
            return Err(SyncError::Superseded { message });
        } else {
            self.set_fields(&invoice, record, key, false).await?;
        }
        let mut status = invoice.status().to_owned();
        while status != target {
            let Some((step, form)) = next_step(&status, target) else {
                let message = format!("the invoice is {status} in Stripe, which cannot become {target}: that later change wins");
                return Err(SyncError::Superseded { message });
            };
            let path = format!("/invoices/{}/{step}", invoice.id);
            let moved: RemoteInvoice = self.call(Method::POST, &path, &form, Some(&format!("{key}:{step}"))).await?;
            log::info!("invoice {} in Stripe ({}): {step} -> {}", record.id, invoice.id, moved.status());
            status = moved.status().to_owned();
        }
        Ok(())
    }

    /// Every line of the invoice: those embedded, and the rest by pages.
    pub(super) async fn all_lines(&self, invoice: &RemoteInvoice) -> Result<Vec<RemoteLine>, SyncError> {
        let embedded = invoice.lines.clone().unwrap_or_default();
        if !embedded.has_more {
            return Ok(embedded.data);
        }
        let (mut lines, mut after) = (Vec::new(), None::<String>);
        loop {
            let mut query = vec![("limit".to_owned(), "100".to_owned())];
            query.extend(after.take().map(|a| ("starting_after".to_owned(), a)));
            let page: Page<RemoteLine> = self.call(Method::GET, &format!("/invoices/{}/lines", invoice.id), &query, None).await?;
            let more = page.has_more;
            after = page.data.last().map(|l| l.id.clone());
            lines.extend(page.data);
            if !more || after.is_none() {
                return Ok(lines);
            }
        }
    }

    /// Deletes the items that are not the record's lines, or bill in
    /// another currency; edits those that bill otherwise. Returns the ids
    /// of the record's lines that Stripe now holds.
    async fn drop_lines(&self, lines: &[RemoteLine], record: &InvoiceRecord, key: &str) -> Result<HashSet<String>, SyncError> {
        let mut held = HashSet::new();
        // Our lines some Stripe line carries already: never claimed twice.
        let referenced: HashSet<&str> = lines.iter().filter_map(RemoteLine::our_line).collect();
        for line in lines {
            let Some(item) = line.item() else {
                log::warn!("invoice {}: Stripe line {} is not an invoice item and is left as it is", record.id, line.id);
                continue;
            };
            let ours = line.our_line().and_then(|id| record.lines.iter().find(|l| l.id.to_string() == id));
            match ours {
                Some(local) if !held.contains(&local.id.to_string()) && same_currency(line, record) => {
                    if !line.bills(local, &record.currency) {
                        let form = edit_form(local);
                        let _: serde_json::Value = self
                            .call(Method::POST, &format!("/invoiceitems/{item}"), &form, Some(&format!("{key}:edit:{}", local.id)))
                            .await?;
                    }
                    held.insert(local.id.to_string());
                }
                _ => {
                    // A line made in Stripe (a dashboard invoice taken in
                    // here) is claimed by the local line that bills the
                    // same, rather than deleted and made again.
                    let unclaimed = |l: &&InvoiceLine| {
                        let id = l.id.to_string();
                        !held.contains(&id) && !referenced.contains(id.as_str()) && line.bills(l, &record.currency)
                    };
                    if let Some(local) = record.lines.iter().find(unclaimed).filter(|_| line.our_line().is_none()) {
                        let form = vec![(format!("metadata[{LINE_ID_KEY}]"), local.id.to_string())];
                        let path = format!("/invoiceitems/{item}");
                        let _: serde_json::Value = self.call(Method::POST, &path, &form, Some(&format!("{key}:claim:{item}"))).await?;
                        held.insert(local.id.to_string());
                        continue;
                    }
                    match self
                        .send::<serde_json::Value>(
                            Method::DELETE,
                            &format!("/invoiceitems/{item}"),
                            &[],
                            Some(&format!("{key}:drop:{item}")),
                        )
                        .await?
                    {
                        Err(e) if !e.is_not_found() => return Err(e.into()),
                        _ => {}
                    }
                }
            }
        }
        Ok(held)
    }

    async fn add_lines(&self, invoice: &RemoteInvoice, held: &HashSet<String>, record: &InvoiceRecord, key: &str) -> Result<(), SyncError> {
        let customer = record.customer_external_id.as_deref().or(invoice.customer_id()).unwrap_or_default().to_owned();
        for line in record.lines.iter().filter(|l| !held.contains(&l.id.to_string())) {
            let mut form = line_form(line, &record.currency);
            form.push(("customer".into(), customer.clone()));
            form.push(("invoice".into(), invoice.id.clone()));
            let _: serde_json::Value = self.call(Method::POST, "/invoiceitems", &form, Some(&format!("{key}:line:{}", line.id))).await?;
        }
        Ok(())
    }

    /// The invoice's own fields that Stripe holds otherwise: all of them on
    /// a draft, only description and metadata once finalized (Stripe locks
    /// the rest). Under a key of these very parameters: a resend of the
    /// same is answered from it, and different ones (the first landed, or
    /// someone edited the invoice meanwhile) are not refused as a key
    /// reused with other parameters (400 `idempotency_error`). Setting
    /// fields twice changes nothing, so a key per content doubles nothing.
    async fn set_fields(&self, invoice: &RemoteInvoice, record: &InvoiceRecord, key: &str, draft: bool) -> Result<(), SyncError> {
        let mut form = Vec::new();
        if invoice.description != record.description {
            form.push(("description".to_owned(), record.description.clone().unwrap_or_default()));
        }
        // Never the currency: Stripe fixes it with the draft (and so does the API).
        if draft {
            if invoice.collection_method.as_deref() != Some(record.collection_method.as_str()) {
                form.push(("collection_method".to_owned(), record.collection_method.as_str().to_owned()));
            }
            if record.days_until_due.is_some() && invoice.days_until_due() != record.days_until_due.map(i64::from) {
                form.extend(record.days_until_due.map(|d| ("days_until_due".to_owned(), d.to_string())));
            }
        }
        let version = record.version.to_string();
        if invoice.own_metadata() != record.metadata || invoice.metadata(INVOICE_VERSION_KEY) != Some(version.as_str()) {
            form.extend(metadata_form(record, Some(invoice)));
        }
        if !form.is_empty() {
            let key = format!("{key}:fields:{}", digest(&form));
            let _: RemoteInvoice = self.call(Method::POST, &format!("/invoices/{}", invoice.id), &form, Some(&key)).await?;
        }
        Ok(())
    }
}

/// A short digest of a form, for a key of its own.
fn digest(form: &[(String, String)]) -> String {
    let mut bytes = Vec::new();
    for (name, value) in form {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(value.as_bytes());
        bytes.push(0);
    }
    let sum = ring::digest::digest(&ring::digest::SHA256, &bytes);
    sum.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn same_currency(line: &RemoteLine, record: &InvoiceRecord) -> bool {
    line.currency.as_deref().is_none_or(|c| c == record.currency)
}

/// An item's billed fields (its currency cannot change).
fn edit_form(line: &InvoiceLine) -> Vec<(String, String)> {
    vec![
        ("description".into(), line.description.clone()),
        ("quantity_decimal".into(), line.quantity.to_string()),
        ("unit_amount_decimal".into(), line.unit_amount.to_string()),
    ]
}

/// The call that moves an invoice one step from `from` towards `to`, by
/// Stripe's state machine; `None` when `to` cannot be reached.
fn next_step(from: &str, to: &str) -> Option<(&'static str, Vec<(String, String)>)> {
    match (from, to) {
        ("draft", "open" | "paid" | "void" | "uncollectible") => Some(("finalize", vec![("auto_advance".into(), "false".into())])),
        ("open" | "uncollectible", "paid") => Some(("pay", vec![("paid_out_of_band".into(), "true".into())])),
        ("open" | "uncollectible", "void") => Some(("void", Vec::new())),
        ("open", "uncollectible") => Some(("mark_uncollectible", Vec::new())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::next_step;

    #[test]
    fn steps_follow_stripes_state_machine() {
        let path = |from: &str, to: &str| {
            let mut at = from.to_owned();
            let mut steps = Vec::new();
            while at != to {
                let (step, _) = next_step(&at, to)?;
                steps.push(step);
                at = match step {
                    "finalize" => "open",
                    "pay" => "paid",
                    "void" => "void",
                    _ => "uncollectible",
                }
                .to_owned();
            }
            Some(steps)
        };
        assert_eq!(path("draft", "paid"), Some(vec!["finalize", "pay"]));
        assert_eq!(path("draft", "uncollectible"), Some(vec!["finalize", "mark_uncollectible"]));
        assert_eq!(path("uncollectible", "paid"), Some(vec!["pay"]));
        assert_eq!(path("open", "draft"), None);
        assert_eq!(path("paid", "void"), None);
        assert_eq!(path("void", "paid"), None);
        assert_eq!(path("uncollectible", "open"), None);
    }
}
