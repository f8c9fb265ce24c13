//! The `salesforce-double` binary, run as run-local.sh and compose run it:
//! it prints the settings that point the services at it, issues tokens for
//! them, serves Contacts over the REST API and a person's edits under
//! `/_control`, and stops on SIGTERM.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BINARY: &str = env!("CARGO_BIN_EXE_salesforce-double");
const V: &str = "/services/data/v62.0";

/// Starts the binary with `args` and `env` (nothing else of this process's
/// environment), and reads the settings it prints.
async fn start(args: &[&str], env: &[(&str, &str)]) -> (Child, HashMap<String, String>) {
    let mut child = Command::new(BINARY)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = HashMap::new();
    let read = async {
        while printed.len() < 3 {
            let line = lines.next_line().await.unwrap().expect("the double exited before printing its settings");
            let (key, value) = line.split_once('=').unwrap();
            printed.insert(key.to_owned(), value.to_owned());
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read).await.expect("the settings within 30 s");
    (child, printed)
}

/// A token for the printed credentials, and the instance it is good for.
async fn login(http: &reqwest::Client, printed: &HashMap<String, String>) -> (String, String) {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", printed["SALESFORCE_CLIENT_ID"].as_str()),
        ("client_secret", printed["SALESFORCE_CLIENT_SECRET"].as_str()),
    ];
    let url = format!("{}/services/oauth2/token", printed["SALESFORCE_LOGIN_URL"]);
    let answer: Value = http.post(url).form(&form).send().await.unwrap().json().await.unwrap();
    (answer["access_token"].as_str().unwrap().to_owned(), answer["instance_url"].as_str().unwrap().to_owned())
}

async fn terminate(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("stopped within 10 s").unwrap()
}

#[tokio::test]
async fn the_binary_serves_contacts_to_the_credentials_it_prints() {
    let (child, printed) = start(&["--port", "0"], &[]).await;
    let base = printed["SALESFORCE_LOGIN_URL"].clone();
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"), "{base}");
    let http = reqwest::Client::new();
    let (token, instance) = login(&http, &printed).await;
    assert_eq!(instance, base, "the double is its own instance");

    // The sync's side: a Contact created and read back over the REST API.
    let created: Value = http
        .post(format!("{base}{V}/sobjects/Contact"))
        .bearer_auth(&token)
        .json(&json!({"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let read = http.get(format!("{base}{V}/sobjects/Contact/{id}")).bearer_auth(&token).send().await.unwrap();
    let limit = read.headers()["Sforce-Limit-Info"].to_str().unwrap().to_owned();
    assert!(limit.ends_with("/100000"), "the binary's daily allowance: {limit}");
    let read: Value = read.json().await.unwrap();
    assert_eq!((read["LastName"].as_str(), read["Email"].as_str()), (Some("Lovelace"), Some("ada@example.com")));

    // A person's side, as README.md's curl does it: edit, then delete.
    let edit = http.patch(format!("{base}/_control/contacts/{id}")).json(&json!({"LastName": "King"})).send().await.unwrap();
    assert_eq!(edit.status(), 200);
    let read: Value = http.get(format!("{base}{V}/sobjects/Contact/{id}")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(read["LastName"], "King");
    assert_eq!(http.delete(format!("{base}/_control/contacts/{id}")).send().await.unwrap().status(), 200);
    let gone = http.get(format!("{base}{V}/sobjects/Contact/{id}")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(gone.status(), 404);

    let status = terminate(child).await;
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
}

#[tokio::test]
async fn the_environment_sets_the_port_and_the_url_the_services_are_given() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let url = format!("http://localhost:{port}");
    let (child, printed) = start(&[], &[("SALESFORCE_DOUBLE_PORT", &port), ("SALESFORCE_DOUBLE_URL", &url)]).await;
    assert_eq!(printed["SALESFORCE_LOGIN_URL"], url);
    let (_, instance) = login(&reqwest::Client::new(), &printed).await;
    assert_eq!(instance, url, "the token sends the services to the URL they were given");
    assert!(terminate(child).await.success());
}

#[tokio::test]
async fn a_wrong_argument_or_a_taken_port_stops_it_at_once() {
    for args in [&["--port", "http"][..], &["--port"], &["--verbose"]] {
        let output = Command::new(BINARY).args(args).env_clear().output().await.unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("usage: salesforce-double"), "{args:?}");
    }
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(BINARY).args(["--port", &port]).env_clear().output().await.unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no settings printed for a double that does not serve");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen"));
}
