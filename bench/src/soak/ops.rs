//! One operation carried out, the way a careful client does it: an API
//! write without a definite answer (the API down, PostgreSQL cut) is sent
//! again, the same request (a create under the same Idempotency-Key),
//! until it gets one or its deadline passes. Only a 2xx is an accepted
//! write. A person's changes in Stripe go straight to the emulator
//! (`ops_stripe`), in Salesforce straight to the org (`ops_salesforce`).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::driver::lock;
use super::invoice_ledger::InvoiceOp;
use super::ledger::{Cohort, Ledger, Outcome, Values};
use super::person::Person;
use super::rig::Rig;
use super::sf_person::SalesforcePerson;

/// How long an API write is sent again without a definite answer.
const DEADLINE: Duration = Duration::from_secs(60);
const RESEND_AFTER: Duration = Duration::from_millis(500);

#[derive(Debug)]
pub enum Op {
    ApiCreate {
        index: usize,
    },
    ApiPatch {
        index: usize,
        name: Option<String>,
        email: Option<String>,
    },
    ApiPut {
        index: usize,
        values: Values,
    },
    ApiDelete {
        index: usize,
    },
    StripeCreate {
        index: usize,
    },
    StripeEdit {
        index: usize,
        name: Option<String>,
        email: Option<String>,
    },
    StripeDelete {
        index: usize,
    },
    SalesforceCreate {
        index: usize,
    },
    SalesforceEdit {
        index: usize,
        name: Option<String>,
        email: Option<String>,
    },
    SalesforceDelete {
        index: usize,
    },
    /// With the seed of its own choices (descriptions, lines...).
    Invoice(InvoiceOp, u64),
}

/// What the API finally said.
pub(super) enum Answer {
    Ok(Value),
    /// 4xx, with the number of sends it took.
    Refused(u16, String, u32),
    Undecided(String),
}

pub struct Operator {
    pub rig: Arc<Rig>,
    pub ledger: Arc<Mutex<Ledger>>,
    pub person: Person,
    pub sf_person: SalesforcePerson,
    /// Set while a purge of the delete log is on its way: the person in
    /// Salesforce deletes nothing then (see `sf_faults`).
    pub sf_deletes_paused: Arc<AtomicBool>,
    pub http: reqwest::Client,
}

impl Operator {
    pub async fn execute(&self, op: Op) {
        let (index, kind, what, outcome) = match op {
            Op::Invoice(op, salt) => return self.invoice(op, salt).await,
            Op::ApiCreate { index } => (index, "api.create", String::new(), self.api_create(index).await),
            Op::ApiPatch { index, name, email } => {
                let what = format!("name={name:?} email={email:?}");
                let mut body = serde_json::Map::new();
                body.extend(name.clone().map(|n| ("name".to_owned(), Value::String(n))));
                body.extend(email.clone().map(|e| ("email".to_owned(), Value::String(e))));
                let body = Value::Object(body);
                (index, "api.patch", what, self.api_edit(index, Method::PATCH, body, name, email).await)
            }
            Op::ApiPut { index, values } => {
                let what = format!("{values:?}");
                let body = json!({"name": values.name, "email": values.email});
                (index, "api.put", what, self.api_edit(index, Method::PUT, body, Some(values.name), Some(values.email)).await)
            }
            Op::ApiDelete { index } => (index, "api.delete", String::new(), self.api_delete(index).await),
            Op::StripeCreate { index } => (index, "stripe.create", String::new(), self.stripe_create(index).await),
            Op::StripeEdit { index, name, email } => {
                (index, "stripe.edit", format!("name={name:?} email={email:?}"), self.stripe_edit(index, name, email).await)
            }
            Op::StripeDelete { index } => (index, "stripe.delete", String::new(), self.stripe_delete(index).await),
            Op::SalesforceCreate { index } => (index, "salesforce.create", String::new(), self.salesforce_create(index)),
            Op::SalesforceEdit { index, name, email } => {
                let what = format!("name={name:?} email={email:?}");
                (index, "salesforce.edit", what, self.salesforce_edit(index, name, email).await)
            }
            Op::SalesforceDelete { index } => (index, "salesforce.delete", String::new(), self.salesforce_delete(index).await),
        };
        lock(&self.ledger).finish(index, kind, &what, &outcome);
    }

    /// Sends one API request until a definite answer (2xx or 4xx) or the deadline.
    pub(super) async fn definite(&self, method: Method, path: &str, body: Option<&Value>, key: Option<&str>) -> Answer {
        let deadline = Instant::now() + DEADLINE;
        let mut sends = 0;
        loop {
            sends += 1;
            let mut request = self.http.request(method.clone(), format!("{}{path}", self.rig.api_url()));
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            let last = match request.send().await {
                Ok(r) if r.status().is_success() => return Answer::Ok(r.json().await.unwrap_or(Value::Null)),
                Ok(r) if r.status().is_client_error() => {
                    return Answer::Refused(r.status().as_u16(), r.text().await.unwrap_or_default(), sends);
                }
                Ok(r) => format!("{}: {}", r.status(), r.text().await.unwrap_or_default()),
                Err(e) => e.to_string(),
            };
            if Instant::now() >= deadline {
                return Answer::Undecided(format!("{sends} sends, the last: {last}"));
            }
            tokio::time::sleep(RESEND_AFTER).await;
        }
    }

    pub(super) fn tracked<T>(&self, index: usize, read: impl FnOnce(&mut super::ledger::Tracked) -> T) -> T {
        read(&mut lock(&self.ledger).customers[index])
    }

    async fn api_create(&self, index: usize) -> Outcome {
        let values = self.tracked(index, |c| c.expected.clone());
        let body = json!({"name": values.name, "email": values.email});
        let key = format!("soak-create-{index}");
        match self.definite(Method::POST, "/customers", Some(&body), Some(&key)).await {
            Answer::Ok(created) => match created["id"].as_str() {
                Some(id) => {
                    self.tracked(index, |c| c.local_id = Some(id.to_owned()));
                    Outcome::Accepted
                }
                None => Outcome::Undecided(format!("a 201 without an id: {created}")),
            },
            Answer::Refused(status, why, _) => Outcome::Refused(format!("{status} {why}")),
            Answer::Undecided(why) => Outcome::Undecided(why),
        }
    }

    async fn api_edit(&self, index: usize, method: Method, body: Value, name: Option<String>, email: Option<String>) -> Outcome {
        let Some(id) = self.tracked(index, |c| c.local_id.clone()) else { return Outcome::Skipped("no local id".into()) };
        match self.definite(method, &format!("/customers/{id}"), Some(&body), None).await {
            Answer::Ok(_) => self.tracked(index, |c| {
                c.edited(name, email);
                Outcome::Accepted
            }),
            Answer::Refused(status, why, _) => {
                // Deleted meanwhile from Stripe's side (only `Both` may be).
                if status == 404 {
                    self.tracked(index, |c| c.deleted |= c.cohort == Cohort::Both);
                }
                Outcome::Refused(format!("{status} {why}"))
            }
            Answer::Undecided(why) => Outcome::Undecided(why),
        }
    }

    async fn api_delete(&self, index: usize) -> Outcome {
        let Some(id) = self.tracked(index, |c| c.local_id.clone()) else { return Outcome::Skipped("no local id".into()) };
        self.tracked(index, |c| c.delete_tried = true);
        match self.definite(Method::DELETE, &format!("/customers/{id}"), None, None).await {
            Answer::Ok(_) => {
                self.tracked(index, |c| c.deleted = true);
                Outcome::Accepted
            }
            // A 404 after a send without an answer: that send deleted it.
            Answer::Refused(404, _, sends) if sends > 1 => {
                self.tracked(index, |c| c.deleted = true);
                Outcome::Accepted
            }
            Answer::Refused(status, why, _) => {
                if status == 404 {
                    self.tracked(index, |c| c.deleted |= c.cohort == Cohort::Both);
                }
                Outcome::Refused(format!("{status} {why}"))
            }
            Answer::Undecided(why) => Outcome::Undecided(why),
        }
    }
}
