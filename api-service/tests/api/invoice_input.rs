//! Bad input and wrong transitions on invoices: each a 4xx with the JSON
//! error body, and nothing changed, nothing queued.

use serde_json::{json, Value};

use crate::invoices::{draft, invoice_rows};
use crate::support::{assert_error, Api};

async fn outbox_rows(api: &Api) -> i64 {
    api.outbox_rows().await
}

#[tokio::test]
async fn a_bad_create_names_its_field_and_writes_nothing() {
    let api = Api::start().await;
    let (customer, _) = draft(&api).await;
    let line = |l: Value| json!({"customer_id": customer, "currency": "usd", "lines": [l]});
    let cases = [
        (json!({"currency": "usd"}), "customer_id"),
        (json!({"customer_id": "cus_123", "currency": "usd"}), "customer_id"),
        (json!({"customer_id": customer}), "currency"),
        (json!({"customer_id": customer, "currency": "dollars"}), "currency"),
        (json!({"customer_id": customer, "currency": "usd", "collection_method": "cash"}), "collection_method"),
        (json!({"customer_id": customer, "currency": "usd", "collection_method": "send_invoice"}), "days_until_due"),
        (json!({"customer_id": customer, "currency": "usd", "days_until_due": 30}), "days_until_due"),
        (json!({"customer_id": customer, "currency": "usd", "description": " "}), "description"),
        (json!({"customer_id": customer, "currency": "usd", "metadata": {"catalog_sync_id": "x"}}), "metadata.catalog_sync_id"),
        (json!({"customer_id": customer, "currency": "usd", "metadata": {"n": 1}}), "metadata.n"),
        (line(json!({"unit_amount": 100})), "lines[0].description"),
        (line(json!({"description": "x"})), "lines[0].unit_amount"),
        (line(json!({"description": "x", "unit_amount": -1})), "lines[0].unit_amount"),
        (line(json!({"description": "x", "unit_amount": 1, "quantity": 0})), "lines[0].quantity"),
        (line(json!({"description": "x", "unit_amount": 99_999_999, "quantity": 2})), "lines"),
        (line(json!({"id": uuid::Uuid::now_v7(), "description": "x", "unit_amount": 1})), "lines[0].id"),
    ];
    let (rows, queued) = (invoice_rows(&api).await, outbox_rows(&api).await);

    for (body, field) in cases {
        let error = assert_error(api.post("/invoices", &body).await, 422, "validation_failed").await;
        assert_eq!(error["field"], field, "{body} -> {error}");
    }
    // Not even JSON, or a field we do not know: refused before anything.
    let garbage =
        api.http.post(format!("{}/invoices", api.base)).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_error(garbage, 400, "invalid_json").await;
    assert_error(api.post("/invoices", &json!({"customer_id": customer, "currency": "usd", "total": 5})).await, 422, "validation_failed")
        .await;

    assert_eq!((invoice_rows(&api).await, outbox_rows(&api).await), (rows, queued));
    api.cleanup().await;
}

#[tokio::test]
async fn a_bad_edit_changes_nothing() {
    let api = Api::start().await;
    let (_, invoice) = draft(&api).await;
    let url = format!("{}/invoices/{}", api.base, invoice["id"].as_str().unwrap());
    let queued = outbox_rows(&api).await;
    let cases = [
        (json!({}), None),
        (json!({"customer_id": uuid::Uuid::now_v7()}), Some("customer_id")),
        (json!({"lines": [{"description": "x"}]}), Some("lines[0].unit_amount")),
        (json!({"collection_method": "send_invoice"}), Some("days_until_due")),
        (json!({"currency": "12"}), Some("currency")),
        (json!({"currency": "eur"}), Some("currency")),
        (json!({"metadata": {"catalog_sync_version": "9"}}), Some("metadata.catalog_sync_version")),
    ];

    for (body, field) in cases {
        let error = assert_error(api.http.patch(&url).json(&body).send().await.unwrap(), 422, "validation_failed").await;
        assert_eq!(error["field"].as_str(), field, "{body} -> {error}");
    }

    let now: Value = api.get(&format!("/invoices/{}", invoice["id"].as_str().unwrap())).await.json().await.unwrap();
    assert_eq!(now, invoice, "the invoice is as it was");
    assert_eq!(outbox_rows(&api).await, queued);
    api.cleanup().await;
}

/// Every command from every status it cannot start from: 409 naming the
/// status, the invoice unchanged, nothing queued.
#[tokio::test]
async fn every_wrong_transition_is_refused_naming_the_status() {
    let api = Api::start().await;
    let steps: [(&str, &[&str]); 5] = [
        ("draft", &[]),
        ("open", &["finalize"]),
        ("paid", &["finalize", "pay"]),
        ("uncollectible", &["finalize", "mark-uncollectible"]),
        ("void", &["finalize", "void"]),
    ];
    let allowed = |status: &str, command: &str| match command {
        "finalize" => status == "draft",
        "pay" | "void" => status == "open" || status == "uncollectible",
        _ => status == "open",
    };
    for (status, path) in steps {
        let (_, invoice) = draft(&api).await;
        let url = format!("{}/invoices/{}", api.base, invoice["id"].as_str().unwrap());
        for step in path {
            assert_eq!(api.http.post(format!("{url}/{step}")).send().await.unwrap().status(), 200, "{step}");
        }
        let before: Value = api.get(&format!("/invoices/{}", invoice["id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!(before["status"], status);
        let queued = outbox_rows(&api).await;
        for command in ["finalize", "pay", "void", "mark-uncollectible"].into_iter().filter(|c| !allowed(status, c)) {
            let error = assert_error(api.http.post(format!("{url}/{command}")).send().await.unwrap(), 409, "invalid_transition").await;
            assert!(error["message"].as_str().unwrap().starts_with(&format!("the invoice is {status}")), "{command}: {error}");
        }
        let after: Value = api.get(&format!("/invoices/{}", invoice["id"].as_str().unwrap())).await.json().await.unwrap();
        assert_eq!((after, outbox_rows(&api).await), (before, queued), "{status}: nothing changed, nothing queued");
    }
    api.cleanup().await;
}

#[tokio::test]
async fn commands_are_idempotent_per_key_and_take_no_body() {
    let api = Api::start().await;
    let (_, invoice) = draft(&api).await;
    let (_, other) = draft(&api).await;
    let url = format!("{}/invoices/{}", api.base, invoice["id"].as_str().unwrap());
    let finalize = || api.http.post(format!("{url}/finalize")).header("Idempotency-Key", "fin-1");

    let first = finalize().send().await.unwrap();
    let again = finalize().send().await.unwrap();
    let elsewhere = api
        .http
        .post(format!("{}/invoices/{}/finalize", api.base, other["id"].as_str().unwrap()))
        .header("Idempotency-Key", "fin-1")
        .send()
        .await
        .unwrap();

    assert_eq!(first.status(), 200);
    assert_eq!(
        (again.status().as_u16(), again.headers().get("idempotent-replayed").is_some()),
        (200, true),
        "a retry is no wrong transition"
    );
    assert_eq!(first.json::<Value>().await.unwrap()["version"], again.json::<Value>().await.unwrap()["version"]);
    assert_error(elsewhere, 422, "idempotency_key_reused").await;
    let with_body = api.http.post(format!("{url}/void")).json(&json!({"reason": "x"})).send().await.unwrap();
    assert_error(with_body, 422, "validation_failed").await;
    let empty_lines: Value =
        api.post("/invoices", &json!({"customer_id": invoice["customer_id"], "currency": "usd"})).await.json().await.unwrap();
    let refused = api.http.post(format!("{}/invoices/{}/finalize", api.base, empty_lines["id"].as_str().unwrap())).send().await.unwrap();
    assert_error(refused, 409, "invalid_transition").await;
    api.cleanup().await;
}

#[tokio::test]
async fn a_create_is_idempotent_per_key() {
    let api = Api::start().await;
    let (customer, _) = draft(&api).await;
    let body = json!({"customer_id": customer, "currency": "usd", "lines": [{"description": "x", "unit_amount": 100}]});
    let create = |body: &Value| api.http.post(format!("{}/invoices", api.base)).header("Idempotency-Key", "inv-1").json(body).send();

    let first: Value = create(&body).await.unwrap().json().await.unwrap();
    let again = create(&body).await.unwrap();
    let replayed = again.headers().get("idempotent-replayed").is_some();
    let second: Value = again.json().await.unwrap();
    let other = create(&json!({"customer_id": customer, "currency": "eur"})).await.unwrap();

    assert!(replayed);
    assert_eq!(first, second, "the same invoice, line ids included");
    assert_error(other, 422, "idempotency_key_reused").await;
    assert_eq!(invoice_rows(&api).await, 2);
    api.cleanup().await;
}
