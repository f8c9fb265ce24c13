//! The settings' checks: what stops a service at start, and what never prints.

fn settings(bind: &str, auth: &str, key: Option<&str>) -> Result<super::Settings, crate::Error> {
    let settings: super::Settings = serde_json::from_value(serde_json::json!({
        "database_url": "postgres://db", "amqp_url": "amqp://mq",
        "bind_address": bind, "api_auth": auth, "api_bootstrap_key": key,
    }))
    .expect("settings");
    settings.validate().map(|()| settings)
}

#[test]
fn salesforce_without_its_settings_stops_the_service_naming_them() {
    let with = |extra: serde_json::Value| {
        let mut value =
            serde_json::json!({"database_url": "postgres://db", "amqp_url": "amqp://mq", "sync_integrations": "stripe,salesforce"});
        value.as_object_mut().expect("object").extend(extra.as_object().cloned().unwrap_or_default());
        let settings: super::Settings = serde_json::from_value(value).expect("settings");
        settings.validate().err().map(|e| e.to_string()).unwrap_or_default()
    };
    let org = "https://acme.my.salesforce.com";
    assert!(with(serde_json::json!({})).contains("SALESFORCE_LOGIN_URL is required"));
    assert!(with(serde_json::json!({"salesforce_login_url": org})).contains("SALESFORCE_CLIENT_ID"));
    assert!(with(serde_json::json!({"salesforce_login_url": org, "salesforce_client_id": "x"})).contains("SALESFORCE_CLIENT_SECRET"));
    let complete = serde_json::json!({"salesforce_login_url": org, "salesforce_client_id": "x", "salesforce_client_secret": "y"});
    assert_eq!(with(complete.clone()), "");
    for generic in ["https://login.salesforce.com", "https://test.salesforce.com/", "https://LOGIN.salesforce.com:443"] {
        let mut login = complete.clone();
        login["salesforce_login_url"] = generic.into();
        assert!(with(login).contains("does not serve the client credentials flow"), "{generic}");
    }
    let mut old = complete.clone();
    old["salesforce_api_version"] = "51.0".into();
    assert!(with(old).contains("52.0 or later"));
    let mut current = complete.clone();
    current["salesforce_api_version"] = "52.0".into();
    assert_eq!(with(current), "");
    let mut bad_field = complete;
    bad_field["salesforce_external_id_field"] = "Email".into();
    assert!(with(bad_field).contains("SALESFORCE_EXTERNAL_ID_FIELD"));
}

#[test]
fn nothing_is_open_to_the_network_without_a_key() {
    assert!(settings("0.0.0.0", "on", None).is_ok());
    assert!(settings("127.0.0.1", "off", None).is_ok());
    assert!(settings("localhost", "off", None).is_ok());
    let open = settings("0.0.0.0", "off", None).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(open.contains("API_AUTH=off is refused"), "{open}");
    let sample = super::SAMPLE_KEYS[0];
    assert!(settings("127.0.0.1", "on", Some(sample)).is_ok());
    let published = settings("0.0.0.0", "on", Some(sample)).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(published.contains("published sample key"), "{published}");
    assert!(settings("0.0.0.0", "on", Some("short")).is_err());
    assert!(settings("0.0.0.0", "maybe", None).is_err());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let settings: super::Settings = serde_json::from_value(serde_json::json!({
        "database_url": "postgres://db", "amqp_url": "amqp://mq",
        "stripe_secret_key": "sk_live_very_secret", "stripe_webhook_secret": "whsec_very_secret",
    }))
    .expect("settings");
    let printed = format!("{settings:?}");
    assert!(!printed.contains("very_secret"), "{printed}");
    assert_eq!(super::Settings::require(&settings.stripe.secret_key, "STRIPE_SECRET_KEY").ok(), Some("sk_live_very_secret"));
    assert_eq!(settings.webhook_secrets(), ["whsec_very_secret"]);
}
