//! `api-service dead-letters [replay [<message-id>]]`, run as the real
//! binary with its settings in the environment.

use serde_json::Value;

use crate::support::{email, Api};

const BINARY: &str = env!("CARGO_BIN_EXE_api-service");

/// Makes a change that failed for good, as the worker leaves one (its
/// dead-lettering is tested with the worker): the message in the dead-letter
/// queue with its error, the link `failed`. Returns the customer's id.
async fn dead_lettered_change(api: &Api) -> String {
    let id = api.created("Dead Letter", &email("dead")).await["id"].as_str().unwrap().to_owned();
    let topology = api.topology();
    let (work, dead) = (topology.work_queue("stripe", "customer"), topology.dead_queue("stripe", "customer"));
    testkit::dead_letter_next(&api.settings.broker.url, &work, &dead, 4, "Stripe answered 500: a bad day").await;
    api.db
        .execute(&format!(
            "UPDATE sync_links SET status = 'failed', last_error = 'Stripe answered 500: a bad day' WHERE entity_id = '{id}'"
        ))
        .await;
    id
}

#[tokio::test]
async fn dead_letters_lists_a_dead_letter_and_replay_sends_it_back_to_the_work_queue() {
    let api = Api::start().await;
    let id = dead_lettered_change(&api).await;
    let topology = api.topology();

    let listed = testkit::stdout_json(&testkit::run_binary(BINARY, &["dead-letters"], &api.settings).await);
    assert_eq!(listed["total"], 1, "{listed}");
    let letter = &listed["data"][0];
    assert_eq!(letter["change"]["entity_id"], id.as_str(), "{listed}");
    assert!(letter["error"].as_str().is_some_and(|e| !e.is_empty()), "{letter}");
    let message_id = letter["message_id"].as_str().unwrap();

    let replayed = testkit::stdout_json(&testkit::run_binary(BINARY, &["dead-letters", "replay", message_id], &api.settings).await);

    assert_eq!(replayed["replayed"], 1, "{replayed}");
    assert_eq!(replayed["data"][0]["message_id"], message_id, "{replayed}");
    assert_eq!(testkit::queue_depth(&api.settings.broker.url, &topology.dead_queue("stripe", "customer")).await, 0);
    assert_eq!(testkit::queue_depth(&api.settings.broker.url, &topology.work_queue("stripe", "customer")).await, 1);
    let customer: Value = api.get(&format!("/customers/{id}")).await.json().await.unwrap();
    assert_eq!(customer["sync"]["stripe"]["status"], "pending", "{customer}");
    api.cleanup().await;
}

#[tokio::test]
async fn a_bad_argument_exits_non_zero_with_the_usage_line() {
    let bad: &[&[&str]] = &[&["dead-letter"], &["dead-letters", "burn"], &["dead-letters", "replay", "not-an-id"], &["migrate", "now"]];
    testkit::assert_refused_with_usage(BINARY, bad, "usage: api-service [migrate | dead-letters [replay [<message-id>]] | keys create <name> [<scopes>] | keys list | keys revoke <id>]").await;
}
