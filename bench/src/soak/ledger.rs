//! What the soak did and what it expects: every customer it made, who may
//! change it, the last change each side accepted, and a count of the
//! operations by kind and outcome. The comparison at the end holds all
//! three sides to it.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

/// Who changes a customer. Most are single-sided, so a lost change shows
/// exactly; `Both` is only held to convergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cohort {
    /// Created, edited and deleted through our API only.
    Api,
    /// Created through our API; once in Stripe, edited and deleted there only.
    StripeEdited,
    /// Created in Stripe (no id of ours), edited and deleted there only.
    StripeBorn,
    /// Created through our API; once in Salesforce, edited and deleted there only.
    SalesforceEdited,
    /// Created in Salesforce (no id of ours), edited and deleted there only.
    SalesforceBorn,
    /// Created through our API, edited and deleted on all three sides.
    Both,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Values {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tracked {
    pub cohort: Cohort,
    /// Our customer id, once the API answered its create (or learned).
    pub local_id: Option<String>,
    /// The Stripe customer id, once known.
    pub stripe_id: Option<String>,
    /// The Salesforce Contact id, once known (the master's, after a merge).
    pub salesforce_id: Option<String>,
    /// Contact ids it had before: the losers of merges.
    pub merged_ids: Vec<String>,
    /// The last values accepted: by our API (2xx) or written in Stripe.
    pub expected: Values,
    /// Every email it ever had (a double is found by any of them).
    pub emails: Vec<String>,
    /// A delete was accepted (API) or made (Stripe, Salesforce).
    pub deleted: bool,
    /// A delete was sent, answered or not: a customer deleted here without
    /// this was deleted by no one.
    pub delete_tried: bool,
    /// A write of it never got a definite answer: its final values are
    /// not known exactly, and it is held to convergence only.
    pub uncertain: bool,
    /// An operation on it is in flight (one at a time, so "last" is defined).
    #[serde(skip)]
    pub busy: bool,
    /// An invoice was made for it (here or in Stripe): it is never deleted,
    /// so no invoice of it races its customer's delete.
    pub billed: bool,
    pub history: Vec<String>,
}

impl Tracked {
    /// An edit of its name and/or email was accepted: those are what it
    /// must end with, and the new email is one it may be found by.
    pub fn edited(&mut self, name: Option<String>, email: Option<String>) {
        if let Some(name) = name {
            self.expected.name = name;
        }
        if let Some(email) = email {
            self.emails.push(email.clone());
            self.expected.email = email;
        }
    }
}

/// How the operations of one kind went.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OpCount {
    pub sent: u64,
    /// Answered 2xx (our API) or done (Stripe, Salesforce).
    pub accepted: u64,
    /// Answered 4xx: refused for certain.
    pub refused: u64,
    /// No definite answer before the operation's deadline.
    pub undecided: u64,
    /// Not applicable when its turn came (e.g. not in Stripe yet).
    pub skipped: u64,
}

/// How an operation ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Accepted,
    Refused(String),
    Undecided(String),
    Skipped(String),
}

pub struct Ledger {
    pub customers: Vec<Tracked>,
    pub invoices: Vec<super::invoice_ledger::TrackedInvoice>,
    pub ops: BTreeMap<&'static str, OpCount>,
    tag: String,
    serial: u64,
    started: Instant,
}

impl Ledger {
    pub fn new(seed: u64) -> Self {
        Self {
            customers: Vec::new(),
            invoices: Vec::new(),
            ops: BTreeMap::new(),
            tag: format!("{:x}", seed % 0x100_0000),
            serial: 0,
            started: Instant::now(),
        }
    }

    /// A name never used before.
    pub fn fresh_name(&mut self) -> String {
        self.serial += 1;
        format!("Soak {} {}", self.tag, self.serial)
    }

    /// An email never used before, on either side.
    pub fn fresh_email(&mut self) -> String {
        self.serial += 1;
        format!("soak.{}.{}@example.com", self.tag, self.serial)
    }

    /// A new customer about to be created; busy until its create answers.
    pub fn add(&mut self, cohort: Cohort, expected: Values) -> usize {
        let emails = vec![expected.email.clone()];
        let tracked = Tracked {
            cohort,
            local_id: None,
            stripe_id: None,
            salesforce_id: None,
            merged_ids: vec![],
            expected,
            emails,
            deleted: false,
            delete_tried: false,
            uncertain: false,
            busy: true,
            billed: false,
            history: vec![],
        };
        self.customers.push(tracked);
        self.customers.len() - 1
    }

    /// Records how operation `kind` on customer `index` ended, frees the customer.
    pub fn finish(&mut self, index: usize, kind: &'static str, what: &str, outcome: &Outcome) {
        let line = self.count(kind, what, outcome);
        if let Some(customer) = self.customers.get_mut(index) {
            customer.busy = false;
            customer.uncertain |= matches!(outcome, Outcome::Undecided(_));
            customer.history.push(line);
        }
    }

    /// Counts operation `kind` by its outcome; the line its history notes.
    pub fn count(&mut self, kind: &'static str, what: &str, outcome: &Outcome) -> String {
        let count = self.ops.entry(kind).or_default();
        count.sent += 1;
        let (word, detail) = match outcome {
            Outcome::Accepted => {
                count.accepted += 1;
                ("accepted", "")
            }
            Outcome::Refused(why) => {
                count.refused += 1;
                ("refused", why.as_str())
            }
            Outcome::Undecided(why) => {
                count.undecided += 1;
                ("UNDECIDED", why.as_str())
            }
            Outcome::Skipped(why) => {
                count.skipped += 1;
                ("skipped", why.as_str())
            }
        };
        let at = self.elapsed();
        let what = if what.is_empty() { String::new() } else { format!(" {what}") };
        format!("{at:8.3}s {kind}{what}: {word} {detail}").trim_end().to_owned()
    }

    /// Seconds since the run started, as the history notes them.
    pub fn elapsed(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Customers per cohort.
    pub fn cohorts(&self) -> BTreeMap<Cohort, usize> {
        let mut counts = BTreeMap::new();
        for customer in &self.customers {
            *counts.entry(customer.cohort).or_default() += 1;
        }
        counts
    }
}
