//! Merges in the Salesforce double: a person folds up to two Contacts into
//! a master, as the UI does; the losers are deleted with MasterRecordId,
//! listed by `/deleted/` and queryAll; the master keeps its values and its
//! stamps move. Also `WHERE Id IN` and the merge over `/_control`.
#![allow(clippy::unwrap_used)]

mod salesforce_session;

use chrono::{TimeDelta, Utc};
use salesforce_session::{deleted_ids, deleted_url, ids, login};
use serde_json::{json, Value};
use testkit::SalesforceDouble;

#[tokio::test]
async fn a_merge_deletes_the_losers_with_master_record_id_and_moves_the_master_s_stamps() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let master = sf.create(json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    let first = sf.create(json!({"FirstName": "A.", "LastName": "Lovelace", "Email": "ada@example.com"})).await;
    let second = sf.create(json!({"FirstName": "Augusta", "LastName": "King"})).await;
    let fields = "Id, IsDeleted, MasterRecordId, LastModifiedDate, SystemModstamp, CreatedDate, FirstName";
    let q = format!("SELECT {fields} FROM Contact WHERE Id IN ('{master}', '{first}', '{second}')");
    let before = sf.query("queryAll", &q).await;
    assert!(before.body["records"].as_array().unwrap().iter().all(|r| r["MasterRecordId"].is_null()), "null before any merge");

    double.merge_contacts(&master, &[&first, &second]).unwrap();

    assert_eq!(ids(&sf.query("query", &q).await), [master.as_str()], "the losers are gone from query");
    let after = sf.query("queryAll", &q).await;
    let record = |answer: &salesforce_session::Answer, id: &str| -> Value {
        answer.body["records"].as_array().unwrap().iter().find(|r| r["Id"] == id).unwrap().clone()
    };
    for loser in [&first, &second] {
        let (was, is) = (record(&before, loser), record(&after, loser));
        assert_eq!((is["IsDeleted"].as_bool(), is["MasterRecordId"].as_str()), (Some(true), Some(master.as_str())), "{is}");
        assert!(is["SystemModstamp"].as_str() > was["SystemModstamp"].as_str() && is["LastModifiedDate"] == is["SystemModstamp"]);
        assert_eq!(is["CreatedDate"], was["CreatedDate"]);
    }
    let (was, is) = (record(&before, &master), record(&after, &master));
    assert!(is["SystemModstamp"].as_str() > was["SystemModstamp"].as_str(), "the master's stamp moves");
    assert_eq!((is["FirstName"].as_str(), is["IsDeleted"].as_bool(), is["MasterRecordId"].is_null()), (Some("Ada"), Some(false), true));
    let read = sf.get(&format!("/sobjects/Contact/{master}")).await;
    assert!(read.body.as_object().unwrap().contains_key("MasterRecordId"), "GET returns the field: {}", read.body);

    let merged = sf.query("queryAll", "SELECT Id, MasterRecordId FROM Contact ORDER BY SystemModstamp, Id").await;
    let masters: Vec<&Value> = merged.body["records"].as_array().unwrap().iter().map(|r| &r["MasterRecordId"]).collect();
    assert_eq!(masters.iter().filter(|m| m.as_str() == Some(master.as_str())).count(), 2);
    let url = deleted_url(Utc::now() - TimeDelta::minutes(5), Utc::now() + TimeDelta::minutes(5));
    let mut listed = deleted_ids(&sf.get(&url).await);
    listed.sort();
    let mut losers = vec![first, second];
    losers.sort();
    assert_eq!(listed, losers, "merged-away records are deletes to /deleted/");
    double.stop().await;
}

#[tokio::test]
async fn a_merge_takes_at_most_three_live_records() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let mut made = Vec::new();
    for name in ["M", "A", "B", "C"] {
        made.push(sf.create(json!({"LastName": name})).await);
    }
    let [master, a, b, c] = [&made[0], &made[1], &made[2], &made[3]];
    assert_eq!(double.merge_contacts(master, &[a, b, c]).unwrap_err().status, 400, "four records is one too many");
    assert_eq!(double.merge_contacts(master, &[]).unwrap_err().status, 400);
    assert_eq!(double.merge_contacts(master, &[master]).unwrap_err().status, 400);
    double.delete_contact(c).unwrap();
    assert_eq!(double.merge_contacts(master, &[c]).unwrap_err().error_code, "ENTITY_IS_DELETED");
    assert_eq!(double.merge_contacts(master, &["003Hs0000009999AAA"]).unwrap_err().error_code, "NOT_FOUND");
    assert_eq!(ids(&sf.query("query", "SELECT Id FROM Contact").await).len(), 3, "nothing merged by a refused call");
    double.merge_contacts(master, &[a]).unwrap();
    double.merge_contacts(master, &[b]).unwrap();
    assert_eq!(ids(&sf.query("query", "SELECT Id FROM Contact").await), [master.as_str()], "successive merges into one master");
    double.stop().await;
}

#[tokio::test]
async fn a_merge_over_http() {
    let double = SalesforceDouble::start().await.unwrap();
    let sf = login(&double).await;
    let (master, loser) = (sf.create(json!({"LastName": "Master"})).await, sf.create(json!({"LastName": "Loser"})).await);
    let http = reqwest::Client::new();
    let merge = format!("{}/_control/merge", double.url());
    let merged = http.post(&merge).json(&json!({"master": master, "losers": [loser]})).send().await.unwrap();
    assert_eq!(merged.status(), 200);
    assert_eq!(double.contact(&loser).unwrap()["MasterRecordId"], master.as_str());
    let again = http.post(&merge).json(&json!({"master": master, "losers": [loser]})).send().await.unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(again.json::<Value>().await.unwrap()[0]["errorCode"], "ENTITY_IS_DELETED");
    double.stop().await;
}
