//! A person's changes in Stripe, straight to the emulator (through the
//! tombstones that make it answer for deleted customers as Stripe does),
//! and how the soak learns where a customer made through our API lives in
//! Stripe or Salesforce.

use serde_json::Value;

use super::ledger::{Cohort, Outcome};
use super::ops::Operator;

/// An integration a customer made through our API is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integration {
    Stripe,
    Salesforce,
}

impl Integration {
    fn name(self) -> &'static str {
        match self {
            Self::Stripe => "stripe",
            Self::Salesforce => "salesforce",
        }
    }

    /// The cohort edited there only: it waits for its create to settle
    /// there, so the person's first edit does not race our create.
    fn edited_there(self) -> Cohort {
        match self {
            Self::Stripe => Cohort::StripeEdited,
            Self::Salesforce => Cohort::SalesforceEdited,
        }
    }
}

impl Operator {
    /// The id of a customer made through our API in `integration`, read
    /// from our API once it is there (and remembered).
    pub(super) async fn linked_id(&self, index: usize, integration: Integration) -> Result<String, String> {
        let (known, local_id, cohort) = self.tracked(index, |c| {
            let known = if integration == Integration::Stripe { c.stripe_id.clone() } else { c.salesforce_id.clone() };
            (known, c.local_id.clone(), c.cohort)
        });
        if let Some(known) = known {
            return Ok(known);
        }
        let id = local_id.ok_or("no local id")?;
        let response = self.http.get(format!("{}/customers/{id}", self.rig.api_url())).send().await.map_err(|e| e.to_string())?;
        let customer: Value = response.json().await.map_err(|e| e.to_string())?;
        let link = &customer["sync"][integration.name()];
        let ready = cohort != integration.edited_there() || link["status"] == "synced";
        match link["external_id"].as_str() {
            Some(external) if ready => {
                self.tracked(index, |c| match integration {
                    Integration::Stripe => c.stripe_id = Some(external.to_owned()),
                    Integration::Salesforce => c.salesforce_id = Some(external.to_owned()),
                });
                Ok(external.to_owned())
            }
            _ => Err(format!("not in {} yet (sync status {})", integration.name(), link["status"])),
        }
    }

    pub(super) async fn stripe_create(&self, index: usize) -> Outcome {
        let values = self.tracked(index, |c| c.expected.clone());
        match self.person.create(&values.name, &values.email).await {
            Ok(id) => {
                self.tracked(index, |c| c.stripe_id = Some(id));
                Outcome::Accepted
            }
            Err(e) => Outcome::Undecided(e.to_string()),
        }
    }

    pub(super) async fn stripe_edit(&self, index: usize, name: Option<String>, email: Option<String>) -> Outcome {
        let stripe_id = match self.linked_id(index, Integration::Stripe).await {
            Ok(id) => id,
            Err(why) => return Outcome::Skipped(why),
        };
        match self.person.update(&stripe_id, name.as_deref(), email.as_deref()).await {
            Ok(200) => self.tracked(index, |c| {
                c.edited(name, email);
                Outcome::Accepted
            }),
            Ok(status) => {
                self.tracked(index, |c| c.deleted |= status == 404 && c.cohort == Cohort::Both);
                Outcome::Refused(format!("Stripe answered {status} for {stripe_id}"))
            }
            Err(e) => Outcome::Undecided(e.to_string()),
        }
    }

    pub(super) async fn stripe_delete(&self, index: usize) -> Outcome {
        let stripe_id = match self.linked_id(index, Integration::Stripe).await {
            Ok(id) => id,
            Err(why) => return Outcome::Skipped(why),
        };
        self.tracked(index, |c| c.delete_tried = true);
        match self.person.delete(&stripe_id).await {
            Ok(200) => {
                self.tracked(index, |c| c.deleted = true);
                Outcome::Accepted
            }
            Ok(status) => {
                self.tracked(index, |c| c.deleted |= status == 404 && c.cohort == Cohort::Both);
                Outcome::Refused(format!("Stripe answered {status} for {stripe_id}"))
            }
            Err(e) => Outcome::Undecided(e.to_string()),
        }
    }
}
