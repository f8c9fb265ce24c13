//! The invoices the soak made, and what it expects of them. Invoices made
//! through our API are changed through it and, now and then, by a person
//! in Stripe's dashboard; invoices a person made in the dashboard are
//! changed there only. The comparison holds both sides to agree; an
//! invoice changed only through our API (no write in doubt) is also held
//! to its last accepted description and lines.

use serde::Serialize;

use super::ledger::{Ledger, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `POST /invoices`.
    Api,
    /// A person in Stripe's dashboard, for a customer linked here.
    Dashboard,
}

/// A line as the API answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedLine {
    pub id: String,
    pub description: String,
    pub quantity: i64,
    pub unit_amount: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrackedInvoice {
    pub origin: Origin,
    /// The customer it bills (an index of the ledger's customers).
    pub customer: usize,
    pub local_id: Option<String>,
    /// The Stripe invoice, once known.
    pub stripe_id: Option<String>,
    /// Its status as the last accepted operation left it: a guide to the
    /// next operation only (Stripe may move it on, e.g. below the minimum
    /// charge a finalized invoice is paid).
    pub status: String,
    /// The last description and lines our API accepted.
    pub description: Option<String>,
    pub lines: Vec<ExpectedLine>,
    /// Lines in Stripe, as far as the soak knows (it stops adding at a few).
    pub line_count: usize,
    /// A person changed it in Stripe: only agreement is judged.
    pub dashboard_touched: bool,
    /// Deleted (a draft, through our API).
    pub deleted: bool,
    /// A write of it never got a definite answer.
    pub uncertain: bool,
    #[serde(skip)]
    pub busy: bool,
    pub history: Vec<String>,
}

impl TrackedInvoice {
    pub fn new(origin: Origin, customer: usize) -> Self {
        Self {
            origin,
            customer,
            local_id: None,
            stripe_id: None,
            status: "draft".into(),
            description: None,
            lines: Vec::new(),
            line_count: 0,
            dashboard_touched: false,
            deleted: false,
            uncertain: false,
            busy: true,
            history: Vec::new(),
        }
    }

    /// Held to its last accepted values: made and changed through our API
    /// only, every write answered.
    pub fn single_sided(&self) -> bool {
        self.origin == Origin::Api && !self.dashboard_touched && !self.uncertain && self.local_id.is_some()
    }
}

/// One invoice operation, on invoice `index` (a create's index is new).
#[derive(Debug, Clone)]
pub enum InvoiceOp {
    Create { index: usize },
    Patch { index: usize },
    Command { index: usize, command: &'static str },
    Delete { index: usize },
    DashboardCreate { index: usize },
    DashboardPay { index: usize },
    DashboardVoid { index: usize },
    DashboardDescribeOpen { index: usize },
    DashboardAddLine { index: usize },
    DashboardDescribeDraft { index: usize },
}

impl InvoiceOp {
    pub fn index(&self) -> usize {
        match self {
            Self::Create { index }
            | Self::Patch { index }
            | Self::Command { index, .. }
            | Self::Delete { index }
            | Self::DashboardCreate { index }
            | Self::DashboardPay { index }
            | Self::DashboardVoid { index }
            | Self::DashboardDescribeOpen { index }
            | Self::DashboardAddLine { index }
            | Self::DashboardDescribeDraft { index } => *index,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Create { .. } => "invoice.create",
            Self::Patch { .. } => "invoice.patch",
            Self::Command { command: "finalize", .. } => "invoice.finalize",
            Self::Command { command: "pay", .. } => "invoice.pay",
            Self::Command { command: "void", .. } => "invoice.void",
            Self::Command { .. } => "invoice.uncollectible",
            Self::Delete { .. } => "invoice.delete",
            Self::DashboardCreate { .. } => "dashboard.create",
            Self::DashboardPay { .. } => "dashboard.pay",
            Self::DashboardVoid { .. } => "dashboard.void",
            Self::DashboardDescribeOpen { .. } => "dashboard.edit_open",
            Self::DashboardAddLine { .. } => "dashboard.add_line",
            Self::DashboardDescribeDraft { .. } => "dashboard.edit_draft",
        }
    }
}

impl Ledger {
    /// A new invoice of customer `customer`, busy until its create answers.
    pub fn add_invoice(&mut self, origin: Origin, customer: usize) -> usize {
        if let Some(c) = self.customers.get_mut(customer) {
            c.billed = true;
        }
        self.invoices.push(TrackedInvoice::new(origin, customer));
        self.invoices.len() - 1
    }

    /// Records how invoice operation `kind` on invoice `index` ended, frees it.
    pub fn finish_invoice(&mut self, index: usize, kind: &'static str, what: &str, outcome: &Outcome) {
        let line = self.count(kind, what, outcome);
        if let Some(invoice) = self.invoices.get_mut(index) {
            invoice.busy = false;
            invoice.uncertain |= matches!(outcome, Outcome::Undecided(_));
            invoice.dashboard_touched |= kind.starts_with("dashboard.") && matches!(outcome, Outcome::Accepted);
            invoice.history.push(line);
        }
    }
}
