//! The invoice catalog's API: a draft's life cycle, what each status
//! allows, pages and filters, and the rules between invoices and customers.

use serde_json::{json, Value};

use crate::support::{assert_error, email, Api};

/// A customer of ours and a draft invoice of it with one line.
pub async fn draft(api: &Api) -> (String, Value) {
    let customer = api.created("Ada Lovelace", &email("ada")).await["id"].as_str().unwrap().to_owned();
    let body = json!({"customer_id": customer, "currency": "USD", "description": "November",
        "lines": [{"description": "Consulting", "quantity": 3, "unit_amount": 12000}], "metadata": {"order": "42"}});
    let response = api.post("/invoices", &body).await;
    assert_eq!(response.status(), 201);
    (customer, response.json().await.unwrap())
}

pub async fn invoice_rows(api: &Api) -> i64 {
    api.db.count("SELECT count(*) FROM invoices").await
}

#[tokio::test]
async fn a_draft_is_created_whole_and_queues_one_change() {
    let api = Api::start().await;

    let (customer, invoice) = draft(&api).await;

    assert_eq!(invoice["customer_id"], customer.as_str());
    assert_eq!((invoice["status"].as_str(), invoice["currency"].as_str()), (Some("draft"), Some("usd")));
    assert_eq!(invoice["collection_method"], "charge_automatically");
    assert_eq!(invoice["lines"][0]["quantity"], 3);
    assert!(invoice["lines"][0]["id"].as_str().is_some(), "{invoice}");
    assert_eq!(invoice["metadata"], json!({"order": "42"}));
    assert_eq!((invoice["number"].clone(), invoice["total"].clone()), (Value::Null, Value::Null), "Stripe's fields wait for Stripe");
    assert_eq!(invoice["version"], 1);
    assert_eq!(api.db.count("SELECT count(*) FROM outbox WHERE entity_type = 'invoice'").await, 1);
    let id = invoice["id"].as_str().unwrap();
    let fetched: Value = api.get(&format!("/invoices/{id}")).await.json().await.unwrap();
    assert_eq!(fetched["lines"], invoice["lines"]);
    api.cleanup().await;
}

#[tokio::test]
async fn the_life_cycle_follows_stripes_state_machine() {
    let api = Api::start().await;
    let (_, invoice) = draft(&api).await;
    let url = format!("{}/invoices/{}", api.base, invoice["id"].as_str().unwrap());
    let line = invoice["lines"][0]["id"].clone();

    // A draft takes any field; a kept line keeps its id.
    let edited: Value = api
        .http
        .patch(&url)
        .json(&json!({"lines": [{"id": line, "description": "Consulting", "quantity": 4, "unit_amount": 12000},
            {"description": "Travel", "unit_amount": 5000}], "collection_method": "send_invoice", "days_until_due": 30}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((edited["version"].as_i64(), edited["lines"][0]["id"].clone()), (Some(2), line));
    assert_eq!((edited["lines"][1]["quantity"].as_i64(), edited["days_until_due"].as_i64()), (Some(1), Some(30)));

    let open: Value = api.http.post(format!("{url}/finalize")).send().await.unwrap().json().await.unwrap();
    assert_eq!((open["status"].as_str(), open["version"].as_i64()), (Some("open"), Some(3)));
    // Finalized: description and metadata only.
    let locked = api.http.patch(&url).json(&json!({"lines": [], "description": "x"})).send().await.unwrap();
    let error = assert_error(locked, 409, "not_editable").await;
    assert!(error["message"].as_str().unwrap().contains("the invoice is open"), "{error}");
    let described: Value = api
        .http
        .patch(&url)
        .json(&json!({"description": "Thanks!", "metadata": {"order": null}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((described["description"].as_str(), described["metadata"].clone()), (Some("Thanks!"), json!({})));

    let written_off: Value = api.http.post(format!("{url}/mark-uncollectible")).send().await.unwrap().json().await.unwrap();
    assert_eq!(written_off["status"], "uncollectible");
    let paid: Value = api.http.post(format!("{url}/pay")).send().await.unwrap().json().await.unwrap();
    assert_eq!((paid["status"].as_str(), paid["version"].as_i64()), (Some("paid"), Some(6)));
    let refused = assert_error(api.http.post(format!("{url}/void")).send().await.unwrap(), 409, "invalid_transition").await;
    assert_eq!(refused["message"], "the invoice is paid: void needs it open or uncollectible");
    assert_error(api.http.delete(&url).send().await.unwrap(), 409, "invalid_transition").await;
    // Paid: metadata only, as Stripe may refuse a paid invoice's description.
    let text = assert_error(api.http.patch(&url).json(&json!({"description": "Late"})).send().await.unwrap(), 409, "not_editable").await;
    assert!(text["message"].as_str().unwrap().contains("only its metadata"), "{text}");
    let tagged: Value = api.http.patch(&url).json(&json!({"metadata": {"paid_via": "bank"}})).send().await.unwrap().json().await.unwrap();
    assert_eq!((tagged["metadata"]["paid_via"].as_str(), tagged["version"].as_i64()), (Some("bank"), Some(7)));
    assert_eq!(api.db.count("SELECT count(*) FROM outbox WHERE entity_type = 'invoice'").await, 7, "one change per version");
    api.cleanup().await;
}

#[tokio::test]
async fn a_draft_is_deleted_and_a_finalized_one_is_voided_instead() {
    let api = Api::start().await;
    let (_, first) = draft(&api).await;
    let (_, second) = draft(&api).await;
    let first_url = format!("{}/invoices/{}", api.base, first["id"].as_str().unwrap());
    let second_url = format!("{}/invoices/{}", api.base, second["id"].as_str().unwrap());

    assert_eq!(api.http.delete(&first_url).send().await.unwrap().status(), 204);
    api.http.post(format!("{second_url}/finalize")).send().await.unwrap();
    let refused = assert_error(api.http.delete(&second_url).send().await.unwrap(), 409, "invalid_transition").await;

    assert!(refused["message"].as_str().unwrap().contains("void it instead"), "{refused}");
    assert_error(api.get(&format!("/invoices/{}", first["id"].as_str().unwrap())).await, 404, "not_found").await;
    assert_error(api.http.delete(&first_url).send().await.unwrap(), 404, "not_found").await;
    let voided: Value = api.http.post(format!("{second_url}/void")).send().await.unwrap().json().await.unwrap();
    assert_eq!(voided["status"], "void");
    api.cleanup().await;
}

#[tokio::test]
async fn invoices_page_with_a_cursor_and_filter_by_customer_and_status() {
    let api = Api::start().await;
    let (ada, first) = draft(&api).await;
    let (_, other) = draft(&api).await;
    let third: Value = api.post("/invoices", &json!({"customer_id": ada, "currency": "eur"})).await.json().await.unwrap();
    api.http.post(format!("{}/invoices/{}/finalize", api.base, first["id"].as_str().unwrap())).send().await.unwrap();

    let page: Value = api.get("/invoices?limit=2").await.json().await.unwrap();
    let rest: Value =
        api.get(&format!("/invoices?limit=2&starting_after={}", page["next_cursor"].as_str().unwrap())).await.json().await.unwrap();
    let of_ada: Value = api.get(&format!("/invoices?customer_id={ada}")).await.json().await.unwrap();
    let drafts: Value = api.get(&format!("/invoices?customer_id={ada}&status=draft")).await.json().await.unwrap();

    let ids = |page: &Value| page["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!((ids(&page).len(), page["has_more"].as_bool()), (2, Some(true)));
    assert_eq!((ids(&rest).len(), rest["has_more"].as_bool(), rest["next_cursor"].clone()), (1, Some(false), Value::Null));
    assert!(!ids(&of_ada).contains(&other["id"].as_str().unwrap().to_owned()));
    assert_eq!(ids(&of_ada).len(), 2);
    assert_eq!(ids(&drafts), [third["id"].as_str().unwrap()]);
    assert_error(api.get("/invoices?status=paidish").await, 400, "invalid_query").await;
    assert_error(api.get("/invoices?customer_id=cus_1").await, 400, "invalid_query").await;
    api.cleanup().await;
}

#[tokio::test]
async fn an_invoice_needs_a_live_customer_and_keeps_it_from_being_deleted() {
    let api = Api::start().await;
    let (customer, invoice) = draft(&api).await;
    let customer_url = format!("{}/customers/{customer}", api.base);
    let invoice_url = format!("{}/invoices/{}", api.base, invoice["id"].as_str().unwrap());

    let refused = assert_error(api.http.delete(&customer_url).send().await.unwrap(), 409, "customer_has_open_invoices").await;
    assert!(refused["message"].as_str().unwrap().contains("1 draft or open"), "{refused}");
    api.http.post(format!("{invoice_url}/finalize")).send().await.unwrap();
    assert_error(api.http.delete(&customer_url).send().await.unwrap(), 409, "customer_has_open_invoices").await;
    api.http.post(format!("{invoice_url}/void")).send().await.unwrap();
    assert_eq!(api.http.delete(&customer_url).send().await.unwrap().status(), 204, "a void invoice does not hold its customer");

    let rows = invoice_rows(&api).await;
    for unknown in [customer.clone(), uuid::Uuid::now_v7().to_string()] {
        let response = api.post("/invoices", &json!({"customer_id": unknown, "currency": "usd"})).await;
        let error = assert_error(response, 422, "validation_failed").await;
        assert_eq!(error["field"], "customer_id");
    }
    assert_eq!(invoice_rows(&api).await, rows, "nothing written");
    let kept = api.get(&format!("/invoices/{}", invoice["id"].as_str().unwrap())).await;
    assert_eq!(kept.status(), 200, "the void invoice stays, naming its deleted customer");
    api.cleanup().await;
}
