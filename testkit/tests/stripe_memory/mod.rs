//! A client of the Stripe double in memory mode for the tests that share
//! it: form-encoded calls over real HTTP that return the status and the
//! JSON body, and the objects most tests start from.
#![allow(clippy::unwrap_used, dead_code)]

use serde_json::Value;
use testkit::StripeDouble;

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

/// The `id` of an object.
pub fn id(object: &Value) -> String {
    object["id"].as_str().unwrap().to_owned()
}

impl Api {
    pub fn of(double: &StripeDouble) -> Self {
        Self { http: reqwest::Client::new(), base: double.url.clone() }
    }

    async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        Self::answer(self.http.post(format!("{}/v1{path}", self.base)).form(form)).await
    }

    pub async fn post_keyed(&self, path: &str, form: &[(&str, &str)], key: &str) -> reqwest::Response {
        self.http.post(format!("{}/v1{path}", self.base)).header("Idempotency-Key", key).form(form).send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        Self::answer(self.http.get(format!("{}/v1{path}", self.base))).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        Self::answer(self.http.delete(format!("{}/v1{path}", self.base))).await
    }

    /// A POST that must succeed; its JSON.
    pub async fn ok(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let (status, body) = self.post(path, form).await;
        assert_eq!(status, 200, "POST {path}: {body}");
        body
    }

    pub async fn customer(&self, name: &str) -> String {
        id(&self.ok("/customers", &[("name", name)]).await)
    }

    /// A draft the sync controls (`auto_advance=false`), with `extra` fields.
    pub async fn draft(&self, customer: &str, extra: &[(&str, &str)]) -> String {
        let mut form = vec![("customer", customer), ("auto_advance", "false")];
        form.extend_from_slice(extra);
        id(&self.ok("/invoices", &form).await)
    }

    /// An item of `quantity` × `unit_amount` on `invoice`; its id.
    pub async fn item(&self, customer: &str, invoice: &str, description: &str, quantity: i64, unit_amount: i64) -> String {
        let (quantity, unit_amount) = (quantity.to_string(), unit_amount.to_string());
        let form = [
            ("customer", customer),
            ("invoice", invoice),
            ("description", description),
            ("quantity", &quantity),
            ("unit_amount_decimal", &unit_amount),
        ];
        id(&self.ok("/invoiceitems", &form).await)
    }

    /// A draft of `customer` with one line, finalized: open.
    pub async fn open(&self, customer: &str) -> String {
        let invoice = self.draft(customer, &[]).await;
        self.item(customer, &invoice, "Seat", 1, 1000).await;
        self.ok(&format!("/invoices/{invoice}/finalize"), &[]).await;
        invoice
    }

    /// The type of every event after the first `skip`, in order.
    pub fn kinds(double: &StripeDouble, skip: usize) -> Vec<String> {
        double.events().iter().skip(skip).map(|e| e["type"].as_str().unwrap().to_owned()).collect()
    }
}
