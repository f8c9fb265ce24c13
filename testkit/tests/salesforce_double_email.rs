//! Email values in the Salesforce double: an invalid address is refused
//! with INVALID_EMAIL_ADDRESS on the field, for the API and for a person;
//! addresses are stored lower case; non-ASCII needs Email Address
//! Internationalization; and the setting over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use reqwest::Method;
use salesforce_session::login;
use serde_json::{json, Value};
use testkit::salesforce_double::EXTERNAL_ID;
use testkit::SalesforceDouble;

#[tokio::test]
async fn an_invalid_address_is_refused_on_every_api_write() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let id = sf.create(json!({"LastName": "Valid", "Email": "valid@example.com"})).await;
    let bad = || Some(json!({"LastName": "Bad", "Email": "bad address@example"}));
    let upsert = format!("/sobjects/Contact/{EXTERNAL_ID}/e-1");
    for (method, path) in
        [(Method::POST, "/sobjects/Contact".to_owned()), (Method::PATCH, format!("/sobjects/Contact/{id}")), (Method::PATCH, upsert)]
    {
        let refused = sf.call(method.clone(), &path, bad(), &[]).await;
        assert_eq!((refused.status.as_u16(), refused.error_code()), (400, "INVALID_EMAIL_ADDRESS"), "{method} {path}");
        assert_eq!(refused.body[0]["fields"], json!(["Email"]));
        assert_eq!(refused.body[0]["message"], "Email: invalid email address: bad address@example");
    }
    let too_long = format!("{}@example.com", "a".repeat(70));
    let long = sf.call(Method::POST, "/sobjects/Contact", Some(json!({"LastName": "L", "Email": too_long})), &[]).await;
    assert_eq!(long.error_code(), "STRING_TOO_LONG", "80 characters at most, before the syntax");
    assert_eq!(double.contacts().len(), 1, "nothing written");
    double.stop().await;
}

#[tokio::test]
async fn addresses_are_stored_lower_case_and_people_are_checked_too() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let id = sf.create(json!({"LastName": "Case", "Email": "Ada.Lovelace+Tag@Example.COM"})).await;
    assert_eq!(sf.get(&format!("/sobjects/Contact/{id}")).await.body["Email"], "ada.lovelace+tag@example.com");
    let japanese = sf.create(json!({"LastName": "Dots", "Email": "a..b.@docomo.ne.jp"})).await;
    assert_eq!(double.contact(&japanese).unwrap()["Email"], "a..b.@docomo.ne.jp", "allowed for Japan's providers");

    let refused = double.create_contact(&json!({"LastName": "Person", "Email": ".dot@example.com"})).unwrap_err();
    assert_eq!((refused.status, refused.error_code.as_str()), (400, "INVALID_EMAIL_ADDRESS"));
    let edited = double.update_contact(&id, &json!({"Email": "nobody"})).unwrap_err();
    assert_eq!(edited.error_code, "INVALID_EMAIL_ADDRESS");
    double.update_contact(&id, &json!({"Email": "GRACE@example.com"})).unwrap();
    assert_eq!(double.contact(&id).unwrap()["Email"], "grace@example.com");
    double.stop().await;
}

#[tokio::test]
async fn non_ascii_addresses_need_internationalization() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let http = reqwest::Client::new();
    let body = || Some(json!({"LastName": "Müller", "Email": "Jörg@Bücher.example"}));
    let refused = sf.call(Method::POST, "/sobjects/Contact", body(), &[]).await;
    assert_eq!(refused.error_code(), "INVALID_EMAIL_ADDRESS");
    let setting = format!("{}/_control/email-internationalization", double.url());
    assert_eq!(http.put(&setting).json(&json!({"on": true})).send().await.unwrap().status(), 200);
    let saved = sf.call(Method::POST, "/sobjects/Contact", body(), &[]).await;
    assert_eq!(saved.status, 201, "{}", saved.body);
    let id = saved.body["id"].as_str().unwrap();
    assert_eq!(sf.get(&format!("/sobjects/Contact/{id}")).await.body["Email"], "jörg@bücher.example");
    double.email_internationalization(false);
    let person: Value = http
        .post(format!("{}/_control/contacts", double.url()))
        .json(&json!({"LastName": "X", "Email": "用户@例子.广告"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(person[0]["errorCode"], "INVALID_EMAIL_ADDRESS");
    double.stop().await;
}
