//! docker-compose.yml against the code. `docker-compose config` must accept
//! the file (with no `.env`, as in a fresh clone, and with `.env.sample`), and
//! everything it names must exist: each variable is a setting of
//! `shared_models::config::Settings` or a documented container-only variable,
//! and is in `.env.sample`; each published port of api-service and
//! webhook-service is the port the service listens on; each command of the
//! catalog-sync image is a binary of the workspace.
//!
//! Needs `docker-compose` (Compose v1.29 from Debian, or a v2 `docker-compose`);
//! `scripts/setup-test-env.sh` installs it. No Docker engine is needed.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::de::{self, Visitor};
use serde::Deserialize;
use serde_norway::Value;
use shared_models::config::Settings;

/// Variables the compose file may name that are not `Settings`: what reads
/// them. `user` ones are set in `.env` and so must be in `.env.sample`.
const CONTAINER_ONLY: &[(&str, bool, &str)] = &[
    ("RUST_LOG", true, "env_logger, in shared_models::init_logging"),
    ("POSTGRES_DB", false, "the postgres image: the database it creates"),
    ("POSTGRES_PASSWORD", true, "the postgres image, and DATABASE_URL of the services"),
    ("NGROK_AUTHTOKEN", true, "the ngrok agent of the `tunnel` profile"),
];

/// Stripe-looking literals the compose file may hold: the emulator's
/// placeholders. Anything else would be a secret in the compose file.
const PLACEHOLDERS: &[&str] = &["sk_test_local", "whsec_localstripe_compose"];

/// The login URL of the real org in `EnvFile::RealAccounts`.
const REAL_ORG: &str = "https://example.my.salesforce.com";

/// The services built from the Dockerfile's last stage run a workspace binary.
const APP_IMAGE: &str = "catalog-sync:local";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

/// A scratch directory of this test process.
fn scratch() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("catalog-sync-compose-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
    .clone()
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum EnvFile {
    /// A fresh clone: no `.env`.
    Empty,
    /// `cp .env.sample .env`.
    Sample,
    /// A real Stripe test account and a real Salesforce org configured in `.env`.
    RealAccounts,
}

impl EnvFile {
    /// The file, written once per test process (tests run in parallel).
    fn path(self) -> PathBuf {
        static WRITTEN: OnceLock<()> = OnceLock::new();
        let name = |file: EnvFile| scratch().join(format!("{file:?}.env"));
        WRITTEN.get_or_init(|| {
            let sample = read(".env.sample");
            let real = format!(
                "{sample}\nSTRIPE_SECRET_KEY=sk_test_from_env\nSTRIPE_API_BASE=https://api.stripe.com/\nSTRIPE_WEBHOOK_SECRET=whsec_from_env\nAPI_PORT=9080\n\
                 SALESFORCE_LOGIN_URL={REAL_ORG}\nSALESFORCE_CLIENT_ID=id_from_env\nSALESFORCE_CLIENT_SECRET=secret_from_env\n"
            );
            for (file, content) in [(EnvFile::Empty, String::new()), (EnvFile::Sample, sample), (EnvFile::RealAccounts, real)] {
                std::fs::write(name(file), content).unwrap();
            }
        });
        name(self)
    }
}

/// Runs `docker-compose <args>` on the repository's compose file, with
/// `env_file` as its `.env` and nothing of this process's environment but
/// PATH and HOME (a STRIPE_SECRET_KEY in the shell must not change the result).
fn docker_compose(env_file: EnvFile, args: &[&str]) -> String {
    let mut command = Command::new("docker-compose");
    command.env_clear();
    for var in ["PATH", "HOME"] {
        if let Some(value) = std::env::var_os(var) {
            command.env(var, value);
        }
    }
    command
        .current_dir(repo())
        .arg("--file")
        .arg(repo().join("docker-compose.yml"))
        .arg("--env-file")
        .arg(env_file.path())
        .args(["--profile", "tunnel"])
        .args(args);
    let output = match command.output() {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "docker-compose is not installed, and this test needs it to validate docker-compose.yml; \
             scripts/setup-test-env.sh installs it (apt-get install --no-install-recommends docker-compose)"
        ),
        Err(e) => panic!("running docker-compose: {e}"),
    };
    assert!(
        output.status.success(),
        "docker-compose {args:?} with {env_file:?} env file failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The file as compose resolves it: anchors merged, `${...}` filled in.
fn resolved(env_file: EnvFile) -> &'static Value {
    static CACHE: OnceLock<std::sync::Mutex<BTreeMap<EnvFile, &'static Value>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(value) = cache.lock().unwrap().get(&env_file) {
        return value;
    }
    let text = docker_compose(env_file, &["config"]);
    let value: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("parsing docker-compose config: {e}\n{text}"));
    let value: &'static Value = Box::leak(Box::new(value));
    cache.lock().unwrap().insert(env_file, value);
    value
}

fn services(env_file: EnvFile) -> BTreeMap<String, &'static Value> {
    let services = resolved(env_file)["services"].as_mapping().expect("docker-compose config has services");
    services.iter().map(|(name, service)| (name.as_str().unwrap().to_owned(), service)).collect()
}

fn service(env_file: EnvFile, name: &str) -> &'static Value {
    services(env_file).get(name).copied().unwrap_or_else(|| panic!("docker-compose.yml has no service {name}"))
}

fn is_app(service: &Value) -> bool {
    service["image"].as_str() == Some(APP_IMAGE)
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A service's environment; a variable listed without a value (taken from
/// `.env` or the shell when set there) maps to None.
fn environment(service: &Value) -> BTreeMap<String, Option<String>> {
    match &service["environment"] {
        Value::Mapping(map) => map.iter().map(|(k, v)| (k.as_str().unwrap().to_owned(), scalar(v))).collect(),
        Value::Sequence(list) => list
            .iter()
            .map(|item| {
                let item = item.as_str().unwrap();
                match item.split_once('=') {
                    Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                    None => (item.to_owned(), None),
                }
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn command(service: &Value) -> Vec<String> {
    match &service["command"] {
        Value::Sequence(list) => list.iter().map(|s| scalar(s).unwrap()).collect(),
        Value::String(s) => s.split_whitespace().map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// (published, target) of each port mapping, in the short or the long syntax.
fn ports(service: &Value) -> Vec<(Option<u16>, u16)> {
    let Some(list) = service["ports"].as_sequence() else { return Vec::new() };
    list.iter()
        .map(|port| match port {
            Value::Mapping(_) => {
                let number = |v: &Value| scalar(v).map(|s| s.parse::<u16>().unwrap());
                (number(&port["published"]), number(&port["target"]).unwrap())
            }
            other => {
                let short = scalar(other).unwrap();
                let short = short.split('/').next().unwrap();
                let parts: Vec<&str> = short.split(':').collect();
                let target = parts[parts.len() - 1].parse().unwrap();
                let published = (parts.len() > 1).then(|| parts[parts.len() - 2].parse().unwrap());
                (published, target)
            }
        })
        .collect()
}

/// The names of `Settings`' fields, read from its `Deserialize` impl; the
/// `config` crate fills field `api_port` from variable `API_PORT`.
fn settings_variables() -> BTreeSet<String> {
    struct Probe<'a>(&'a mut Option<&'static [&'static str]>);
    impl<'de> de::Deserializer<'de> for Probe<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("Settings is not deserialized as a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = Some(fields);
            Err(de::Error::custom("probe done"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields = None;
    let _ = Settings::deserialize(Probe(&mut fields));
    let fields = fields.expect("Settings deserializes as a struct with named fields");
    fields.iter().map(|f| f.to_ascii_uppercase()).collect()
}

/// Settings with only the required variables given: the defaults.
fn default_settings() -> Settings {
    config::Config::builder()
        .set_override("database_url", "postgres://localhost/catalog_sync")
        .unwrap()
        .set_override("amqp_url", "amqp://localhost")
        .unwrap()
        .build()
        .unwrap()
        .try_deserialize()
        .unwrap()
}

/// `.env.sample`'s variables (also the commented-out ones) and their values.
fn env_sample() -> BTreeMap<String, String> {
    read(".env.sample")
        .lines()
        .filter_map(|line| {
            let line = line.trim().trim_start_matches('#').trim();
            let (key, value) = line.split_once('=')?;
            let valid = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && key.starts_with(|c: char| c.is_ascii_uppercase());
            valid.then(|| (key.to_owned(), value.to_owned()))
        })
        .collect()
}

/// Every `${VAR...}` and `$VAR` of the compose file (not the `$$` escapes).
fn interpolated_variables(text: &str) -> BTreeSet<String> {
    let bytes = text.as_bytes();
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                let name: String = text[i + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    names.insert(name);
                }
                i += 2;
            }
            Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
                let name: String = text[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                names.insert(name);
                i += 1;
            }
            _ => i += 1,
        }
    }
    names
}

fn workspace_binaries() -> BTreeSet<String> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(repo())
        .output()
        .expect("running cargo metadata");
    assert!(output.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|package| package["targets"].as_array().unwrap())
        .filter(|target| target["kind"].as_array().unwrap().iter().any(|kind| kind == "bin"))
        .map(|target| target["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The host of a URL (`scheme://user:pass@host:port/path`).
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    let host_port = authority.rsplit('@').next()?;
    host_port.split(':').next()
}

fn assert_no_problems(problems: Vec<String>) {
    assert!(problems.is_empty(), "docker-compose.yml does not match the code:\n  - {}", problems.join("\n  - "));
}

#[test]
fn compose_accepts_the_file_without_an_env_file_and_with_the_sample() {
    docker_compose(EnvFile::Empty, &["config", "-q"]);
    docker_compose(EnvFile::Sample, &["config", "-q"]);
    for name in [
        "postgres",
        "rabbitmq",
        "localstripe",
        "localstripe-webhook",
        "salesforce-double",
        "migrate",
        "api-service",
        "sync-worker",
        "webhook-service",
        "ngrok",
    ] {
        service(EnvFile::Empty, name);
    }
}

#[test]
fn every_variable_is_a_setting_or_documented_and_in_the_env_sample() {
    let settings = settings_variables();
    let container_only: BTreeMap<&str, bool> = CONTAINER_ONLY.iter().map(|(name, user, _)| (*name, *user)).collect();
    let sample = env_sample();
    let mut problems = Vec::new();

    for var in &settings {
        if !sample.contains_key(var) {
            problems.push(format!("setting {var} (shared-models/src/config/raw.rs) is not documented in .env.sample"));
        }
    }
    for (name, service) in services(EnvFile::Empty) {
        let env = environment(service);
        for (var, value) in &env {
            let known = settings.contains(var) || container_only.contains_key(var.as_str());
            if is_app(service) && !(settings.contains(var) || var == "RUST_LOG") {
                problems.push(format!("service {name} sets {var}, which no catalog-sync binary reads (not a field of Settings)"));
            } else if !known {
                problems.push(format!(
                    "service {name} sets {var}: neither a setting nor a documented container-only variable (CONTAINER_ONLY in this test)"
                ));
            }
            // Taken from .env when set there: a user setting.
            if value.is_none() && !sample.contains_key(var) {
                problems.push(format!("service {name} passes {var} through from .env, but .env.sample does not document it"));
            }
        }
        if is_app(service) {
            for var in &settings {
                if !env.contains_key(var) {
                    problems.push(format!(
                        "service {name} does not pass setting {var} to the container: add `{var}:` to x-app-environment, or a .env value never reaches it"
                    ));
                }
            }
        }
    }
    for var in interpolated_variables(&read("docker-compose.yml")) {
        let user = settings.contains(&var) || container_only.get(var.as_str()) == Some(&true);
        if !user {
            problems.push(format!("${{{var}}} is neither a setting nor a documented container-only user variable"));
        } else if !sample.contains_key(&var) {
            problems.push(format!("${{{var}}} is set in .env, but .env.sample does not document it"));
        }
    }
    assert_no_problems(problems);
}

/// Every published port of every service, profiles included, listens on
/// this host only: guest/guest, the emulator and the ngrok inspector must
/// not reach the network.
#[test]
fn every_published_port_is_bound_to_this_host_only() {
    let text = docker_compose(EnvFile::Empty, &["--profile", "tunnel", "config"]);
    let config: Value = serde_norway::from_str(&text).unwrap();
    let mut problems = Vec::new();
    for (name, service) in config["services"].as_mapping().unwrap() {
        for port in service["ports"].as_sequence().into_iter().flatten() {
            let host = match port {
                Value::Mapping(_) => scalar(&port["host_ip"]),
                short => scalar(short).and_then(|s| s.split(':').next().map(str::to_owned)),
            };
            if host.as_deref() != Some("127.0.0.1") {
                problems.push(format!("{} publishes {port:?} beyond 127.0.0.1", scalar(name).unwrap_or_default()));
            }
        }
    }
    assert_no_problems(problems);
}

#[test]
fn published_ports_are_the_ports_the_services_listen_on() {
    let defaults = default_settings();
    let sample = env_sample();
    let text = docker_compose(EnvFile::Empty, &["config"]);
    let mut problems = Vec::new();
    for (name, var, port) in
        [("api-service", "API_PORT", defaults.http.api_port), ("webhook-service", "WEBHOOK_PORT", defaults.http.webhook_port)]
    {
        if sample.get(var).map(String::as_str) != Some(port.to_string().as_str()) {
            problems.push(format!("{var} in .env.sample is {:?}, the default in config/raw.rs is {port}", sample.get(var)));
        }
        let service = service(EnvFile::Empty, name);
        let listens = environment(service).get(var).cloned().flatten();
        if listens.as_deref() != Some(port.to_string().as_str()) {
            problems.push(format!("{name} gets {var}={listens:?} in the container; the compose file is written for {port}"));
        }
        let published = ports(service);
        if published != [(Some(port), port)] {
            problems.push(format!("{name} publishes {published:?}; expected {port}:{port} (with no .env)"));
        }
        // With API_PORT=9080 in .env the host port moves, the container's does not.
        let moved = ports(self::service(EnvFile::RealAccounts, name));
        let host = if var == "API_PORT" { 9080 } else { port };
        if moved != [(Some(host), port)] {
            problems.push(format!("{name} publishes {moved:?} with {var} set in .env; expected {host}:{port}"));
        }
        let healthcheck = format!("{:?}", service["healthcheck"]["test"]);
        if !healthcheck.contains(&format!("/dev/tcp/127.0.0.1/{port}")) || !healthcheck.contains("GET /health") {
            problems.push(format!("{name}'s healthcheck does not ask GET /health on port {port}: {healthcheck}"));
        }
        // Every other service reaches it on that port (webhook URL, ngrok).
        for (at, _) in text.match_indices(&format!("{name}:")) {
            let digits: String = text[at + name.len() + 1..].chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() && digits != port.to_string() {
                problems.push(format!("the compose file reaches {name} on port {digits}, it listens on {port}"));
            }
        }
    }
    let routes = read("webhook-service/src/startup.rs");
    // Every integration's webhooks are posted to /webhooks/{integration}.
    if text.contains("/webhooks/stripe") && !routes.contains("\"/webhooks/{integration}\"") {
        problems.push("the compose file posts webhooks to /webhooks/stripe, which webhook-service/src/startup.rs does not route".into());
    }
    assert_no_problems(problems);
}

#[test]
fn every_command_of_the_image_is_a_workspace_binary() {
    let binaries = workspace_binaries();
    let mut run = BTreeSet::new();
    let mut problems = Vec::new();
    for (name, service) in services(EnvFile::Empty) {
        if !is_app(service) {
            continue;
        }
        match command(service).first() {
            Some(binary) if binaries.contains(binary) => {
                run.insert(binary.clone());
            }
            Some(binary) => problems.push(format!("service {name} runs {binary}, not a binary of the workspace ({binaries:?})")),
            None => problems.push(format!("service {name} has no command: say which binary it runs")),
        }
    }
    for binary in ["api-service", "sync-worker", "webhook-service"] {
        if !run.contains(binary) {
            problems.push(format!("no service runs {binary}"));
        }
    }
    assert_no_problems(problems);
}

#[test]
fn migrations_run_once_and_sync_worker_scales() {
    let services = services(EnvFile::Empty);
    let mut problems = Vec::new();
    let migrate = services["migrate"];
    if command(migrate) != ["api-service", "migrate"] {
        problems.push(format!("migrate runs {:?}, not api-service migrate", command(migrate)));
    }
    if scalar(&migrate["restart"]).as_deref() != Some("no") {
        problems.push("migrate must not be restarted: it is a one-shot".into());
    }
    let worker = services["sync-worker"];
    if !worker["container_name"].is_null() || !worker["ports"].is_null() {
        problems.push("sync-worker has a container_name or a published port: --scale sync-worker=3 cannot work".into());
    }
    for (name, service) in &services {
        let depends_on = &service["depends_on"];
        if is_app(service)
            && *name != "migrate"
            && scalar(&depends_on["migrate"]["condition"]).as_deref() != Some("service_completed_successfully")
        {
            problems.push(format!("{name} does not wait for migrate to complete successfully"));
        }
        let Some(depends_on) = depends_on.as_mapping() else { continue };
        for (dependency, how) in depends_on {
            let dependency = dependency.as_str().unwrap();
            let Some(target) = services.get(dependency) else {
                problems.push(format!("{name} depends on {dependency}, which is not a service"));
                continue;
            };
            let one_shot = scalar(&target["restart"]).as_deref() == Some("no");
            let expected = if one_shot { "service_completed_successfully" } else { "service_healthy" };
            if scalar(&how["condition"]).as_deref() != Some(expected) {
                problems.push(format!("{name} should wait for {dependency} with condition {expected}"));
            }
            if !one_shot && target["healthcheck"].is_null() {
                problems.push(format!("{name} waits for {dependency} to be healthy, but it has no healthcheck"));
            }
        }
        // The hosts of the URLs the services are given are compose services.
        for (var, value) in environment(service) {
            if let Some(host) = value.as_deref().and_then(url_host) {
                if !services.contains_key(host) {
                    problems.push(format!("{name}'s {var} points at host {host}, which is not a compose service"));
                }
            }
        }
    }
    assert_no_problems(problems);
}

#[test]
fn the_emulator_is_the_default_and_a_real_stripe_in_env_wins() {
    let mut problems = Vec::new();
    for env_file in [EnvFile::Empty, EnvFile::Sample, EnvFile::RealAccounts] {
        let real = env_file == EnvFile::RealAccounts;
        let webhook = environment(service(env_file, "webhook-service"));
        let registration = environment(service(env_file, "localstripe-webhook"));
        let secret = webhook["STRIPE_WEBHOOK_SECRET"].clone().unwrap_or_default();
        if registration["STRIPE_WEBHOOK_SECRET"].as_deref() != Some(secret.as_str()) {
            problems.push(format!("{env_file:?}: localstripe-webhook registers another secret than webhook-service checks"));
        }
        for name in ["api-service", "sync-worker", "webhook-service"] {
            let env = environment(service(env_file, name));
            let (base, key) = (env["STRIPE_API_BASE"].clone().unwrap_or_default(), env["STRIPE_SECRET_KEY"].clone().unwrap_or_default());
            let ok = if real {
                base == "https://api.stripe.com/" && key == "sk_test_from_env" && secret == "whsec_from_env"
            } else {
                base == "http://localstripe:8420" && PLACEHOLDERS.contains(&key.as_str()) && PLACEHOLDERS.contains(&secret.as_str())
            };
            if !ok {
                problems.push(format!(
                    "{env_file:?}: {name} gets STRIPE_API_BASE={base} STRIPE_SECRET_KEY={key} STRIPE_WEBHOOK_SECRET={secret}"
                ));
            }
        }
    }
    let postgres_check = format!("{:?}", service(EnvFile::Empty, "postgres")["healthcheck"]["test"]);
    if !postgres_check.contains("pg_isready -h 127.0.0.1") {
        problems.push(format!("postgres' healthcheck must ask over TCP (-h): the socket answers before TCP does: {postgres_check}"));
    }
    let localstripe = command(service(EnvFile::Empty, "localstripe")).join(" ");
    if !localstripe.contains("--port 8420") {
        problems.push(format!("localstripe runs `{localstripe}`, not on port 8420"));
    }
    let registration = command(service(EnvFile::Empty, "localstripe-webhook")).join(" ");
    if !registration.contains("http://localstripe:8420/_config/webhooks/") {
        problems.push(format!("localstripe-webhook does not register with the emulator: `{registration}`"));
    }
    // The emulator keeps its webhooks in memory: a restarted one has none.
    let keeps_registering = registration.contains("while true") && registration.contains("sleep");
    if !keeps_registering || scalar(&service(EnvFile::Empty, "localstripe-webhook")["restart"]).as_deref() == Some("no") {
        problems.push(format!("localstripe-webhook registers once; a restarted emulator forgets it: `{registration}`"));
    }
    assert_no_problems(problems);
}

/// A `pub const NAME: &str = "...";` of the Salesforce double (testkit,
/// which shared-models cannot depend on): its credentials.
fn double_const(name: &str) -> String {
    let source = read("testkit/src/salesforce_double/mod.rs");
    let prefix = format!("pub const {name}: &str = \"");
    let at = source.find(&prefix).unwrap_or_else(|| panic!("testkit/src/salesforce_double/mod.rs has no {name}")) + prefix.len();
    source[at..].split('"').next().unwrap().to_owned()
}

#[test]
fn the_salesforce_double_is_the_default_and_a_real_org_in_env_wins() {
    let (double_id, double_secret) = (double_const("CLIENT_ID"), double_const("CLIENT_SECRET"));
    let mut problems = Vec::new();
    for env_file in [EnvFile::Empty, EnvFile::Sample, EnvFile::RealAccounts] {
        let expected = match env_file {
            EnvFile::RealAccounts => (REAL_ORG, "id_from_env", "secret_from_env"),
            _ => ("http://salesforce-double:8430", double_id.as_str(), double_secret.as_str()),
        };
        for name in ["api-service", "sync-worker", "webhook-service"] {
            let env = environment(service(env_file, name));
            let value = |var: &str| env.get(var).cloned().flatten().unwrap_or_default();
            let got = (value("SALESFORCE_LOGIN_URL"), value("SALESFORCE_CLIENT_ID"), value("SALESFORCE_CLIENT_SECRET"));
            if (got.0.as_str(), got.1.as_str(), got.2.as_str()) != expected {
                problems
                    .push(format!("{env_file:?}: {name} gets SALESFORCE_LOGIN_URL, _CLIENT_ID, _CLIENT_SECRET {got:?}, not {expected:?}"));
            }
            if value("SYNC_INTEGRATIONS") != "stripe,salesforce" {
                problems.push(format!("{env_file:?}: {name} syncs {:?}, not all three sides", value("SYNC_INTEGRATIONS")));
            }
        }
    }
    let double = service(EnvFile::Empty, "salesforce-double");
    let run = command(double);
    if run.first().is_none_or(|binary| !workspace_binaries().contains(binary)) {
        problems.push(format!("salesforce-double runs {run:?}, not a binary of the workspace"));
    }
    // Inside its container it must listen beyond loopback, and name itself
    // as the services reach it (its tokens' instance_url).
    for expected in [["--bind", "0.0.0.0"], ["--port", "8430"], ["--url", "http://salesforce-double:8430"]] {
        if !run.windows(2).any(|pair| pair == expected) {
            problems.push(format!("salesforce-double runs {run:?}, without {expected:?}"));
        }
    }
    if ports(double) != [(Some(8430), 8430)] {
        problems.push(format!("salesforce-double publishes {:?}; expected 8430:8430", ports(double)));
    }
    for name in ["sync-worker", "webhook-service"] {
        if scalar(&service(EnvFile::Empty, name)["depends_on"]["salesforce-double"]["condition"]).as_deref() != Some("service_healthy") {
            problems.push(format!("{name} does not wait for salesforce-double: it checks the org's fields at start"));
        }
    }
    assert_no_problems(problems);
}

#[test]
fn the_compose_file_holds_no_secret() {
    let text = read("docker-compose.yml");
    let mut problems = Vec::new();
    for prefix in ["sk_live_", "rk_live_", "sk_test_", "rk_test_", "whsec_"] {
        for (at, _) in text.match_indices(prefix) {
            let literal: String = text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if !PLACEHOLDERS.contains(&literal.as_str()) {
                problems.push(format!("{literal} is written in docker-compose.yml; secrets belong in .env"));
            }
        }
    }
    let ngrok = environment(service(EnvFile::Empty, "ngrok"));
    if ngrok.get("NGROK_AUTHTOKEN").cloned().flatten().is_some_and(|token| !token.is_empty()) {
        problems.push("NGROK_AUTHTOKEN has a value without .env".into());
    }
    assert_no_problems(problems);
}
