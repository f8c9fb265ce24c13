//! Diverged: the sides differ for a live customer, whoever edits it (name,
//! email, live on one side and deleted or gone on another), or the sync
//! gave up on something (a dead letter, a `failed` link, a failed inbound
//! event, an open conflict).

use super::{same, Checker, Ids, Verdict};
use crate::soak::snapshot::LocalCustomer;

impl<'a> Checker<'a> {
    pub(super) fn diverged(&mut self) {
        let snap = self.snap;
        for local in snap.local.iter().filter(|c| !c.deleted) {
            self.with_stripe(local);
            self.with_salesforce(local);
        }
        for remote in &snap.remote {
            let rid = remote.id.as_str();
            match remote.ours.as_deref() {
                Some(ours) => match self.local.get(ours) {
                    None => self.note(
                        Verdict::Diverged,
                        "live in Stripe with our id; no such customer here".into(),
                        Ids::new(&[ours], &[rid], &[]),
                        None,
                    ),
                    Some(l) if l.deleted => {
                        self.note(Verdict::Diverged, "live in Stripe, deleted here".into(), Ids::new(&[ours], &[rid], &[]), None)
                    }
                    Some(_) => {}
                },
                None if self.linked_to_stripe(rid).is_empty() => {
                    self.note(Verdict::Diverged, "made in Stripe, never came in".into(), Ids::new(&[], &[rid], &[]), None)
                }
                None => {}
            }
        }
        for contact in snap.contacts.iter().filter(|c| !c.deleted) {
            let cid = contact.id.as_str();
            match contact.ours.as_deref() {
                Some(ours) => match self.local.get(ours) {
                    None => self.note(
                        Verdict::Diverged,
                        "a live Contact with our id; no such customer here".into(),
                        Ids::new(&[ours], &[], &[cid]),
                        None,
                    ),
                    Some(l) if l.deleted => {
                        self.note(Verdict::Diverged, "live in Salesforce, deleted here".into(), Ids::new(&[ours], &[], &[cid]), None)
                    }
                    Some(_) => {}
                },
                None if self.linked_to_contact(cid).is_empty() => {
                    self.note(Verdict::Diverged, "made in Salesforce, never came in".into(), Ids::new(&[], &[], &[cid]), None)
                }
                None => {}
            }
        }
        for letter in &snap.dead_letters {
            let id = letter["change"]["entity_id"].as_str().unwrap_or_default();
            let what = format!("dead letter after {} attempt(s): {}", letter["attempts"], letter["error"]);
            self.note(Verdict::Diverged, what, Ids::new(&[id], &[], &[]), None);
        }
        for failure in &snap.failures {
            let what = format!("{}: {}", failure.what, failure.detail.as_deref().unwrap_or(""));
            let local: Vec<&str> = failure.entity_id.as_deref().into_iter().collect();
            let remote: Vec<&str> = failure.external_id.as_deref().into_iter().collect();
            self.note(Verdict::Diverged, what, Ids::new(&local, &remote, &remote), None);
        }
    }

    fn with_stripe(&mut self, local: &LocalCustomer) {
        let id = local.id.as_str();
        match local.external_id.as_deref() {
            None => self.note(Verdict::Diverged, "live here, never reached Stripe".into(), Ids::new(&[id], &[], &[]), None),
            Some(external) => match self.remote.get(external) {
                None => {
                    self.note(Verdict::Diverged, "live here, its Stripe customer is gone".into(), Ids::new(&[id], &[external], &[]), None)
                }
                Some(r) if !same(r, &local.name, &local.email) => {
                    let what = format!("here ({}, {}), in Stripe ({:?}, {:?})", local.name, local.email, r.name, r.email);
                    self.note(Verdict::Diverged, what, Ids::new(&[id], &[external], &[]), None);
                }
                Some(_) => {}
            },
        }
        if local.link_status.as_deref() == Some("failed") {
            self.note(Verdict::Diverged, format!("Stripe link failed: {:?}", local.last_error), Ids::new(&[id], &[], &[]), None);
        }
    }

    fn with_salesforce(&mut self, local: &LocalCustomer) {
        let id = local.id.as_str();
        match local.sf_external_id.as_deref() {
            None => self.note(Verdict::Diverged, "live here, never reached Salesforce".into(), Ids::new(&[id], &[], &[]), None),
            Some(contact_id) => match self.contacts.get(contact_id) {
                None => self.note(Verdict::Diverged, "live here, its Contact is gone".into(), Ids::new(&[id], &[], &[contact_id]), None),
                Some(c) if c.deleted => {
                    let what = format!("live here, its Contact is deleted (master {:?})", c.master);
                    self.note(Verdict::Diverged, what, Ids::new(&[id], &[], &[contact_id]), None);
                }
                Some(c) if !c.holds(&local.name, &local.email) => {
                    let what = format!("here ({}, {}), in Salesforce ({:?}, {:?})", local.name, local.email, c.name, c.email);
                    self.note(Verdict::Diverged, what, Ids::new(&[id], &[], &[contact_id]), None);
                }
                Some(_) => {}
            },
        }
        if local.sf_status.as_deref() == Some("failed") {
            self.note(Verdict::Diverged, format!("Salesforce link failed: {:?}", local.sf_error), Ids::new(&[id], &[], &[]), None);
        }
    }
}
