//! The API as the bench's load calls it: cheap to clone into each task.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

/// A customer the bench created, and when the API answered 201.
#[derive(Debug, Clone)]
pub struct Made {
    pub id: String,
    pub email: String,
    pub answered: Instant,
}

/// An invoice the bench created, and when the API answered 201.
#[derive(Debug, Clone)]
pub struct MadeInvoice {
    pub id: String,
    pub answered: Instant,
}

/// Those of `made` that Stripe (the double) holds.
pub fn held_by(double: &testkit::StripeDouble, made: &[Made]) -> Vec<Made> {
    made.iter().filter(|m| double.created_at(&m.id).is_some()).cloned().collect()
}

/// How many of `made` Stripe (the double) does not hold yet.
pub fn missing_from(double: &testkit::StripeDouble, made: &[Made]) -> usize {
    made.iter().filter(|m| double.created_at(&m.id).is_none()).count()
}

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    serial: Arc<AtomicUsize>,
    tag: String,
}

impl Api {
    pub fn new(base: String) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        Self { http: testkit::http(), base, serial: Arc::new(AtomicUsize::new(0)), tag }
    }

    /// `POST /customers` with a name and email never used before.
    pub async fn create(&self) -> Result<Made, String> {
        let n = self.serial.fetch_add(1, Ordering::Relaxed);
        let email = format!("bench{n}.{}@example.com", self.tag);
        let response = self
            .http
            .post(format!("{}/customers", self.base))
            .json(&json!({"name": format!("Bench Customer {n}"), "email": email}))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let answered = Instant::now();
        if response.status() != 201 {
            return Err(format!("POST /customers answered {}: {}", response.status(), response.text().await.unwrap_or_default()));
        }
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        let id = body["id"].as_str().ok_or("no id in the 201 body")?.to_owned();
        Ok(Made { id, email, answered })
    }

    /// `PATCH /customers/{id}` with a new name.
    pub async fn rename(&self, id: &str, name: &str) -> Result<(), String> {
        let response = self
            .http
            .patch(format!("{}/customers/{id}", self.base))
            .json(&json!({ "name": name }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        match response.status().as_u16() {
            200 => Ok(()),
            status => Err(format!("PATCH /customers/{id} answered {status}")),
        }
    }

    /// `GET /customers/{id}`, returning the body.
    pub async fn get(&self, id: &str) -> Result<Value, String> {
        let response = self.http.get(format!("{}/customers/{id}", self.base)).send().await.map_err(|e| e.to_string())?;
        if response.status() != 200 {
            return Err(format!("GET /customers/{id} answered {}", response.status()));
        }
        response.json().await.map_err(|e| e.to_string())
    }

    /// `POST /invoices`: a draft with two lines for `customer`.
    pub async fn create_invoice(&self, customer: &str) -> Result<MadeInvoice, String> {
        let lines = json!([{"description": "Consulting", "quantity": 3, "unit_amount": 12000},
                           {"description": "Travel", "quantity": 1, "unit_amount": 4550}]);
        let body = json!({"customer_id": customer, "currency": "usd", "description": "Bench invoice", "lines": lines});
        let response = self.http.post(format!("{}/invoices", self.base)).json(&body).send().await.map_err(|e| e.to_string())?;
        let answered = Instant::now();
        if response.status() != 201 {
            return Err(format!("POST /invoices answered {}: {}", response.status(), response.text().await.unwrap_or_default()));
        }
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        let id = body["id"].as_str().ok_or("no id in the 201 body")?.to_owned();
        Ok(MadeInvoice { id, answered })
    }
}
