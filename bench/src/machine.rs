//! The machine and the parts the figures were measured on, for the report.

use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{json, Value};

fn first_line(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

async fn postgres_version(database_url: &str) -> Option<String> {
    #[derive(diesel::QueryableByName)]
    struct ServerVersion {
        #[diesel(sql_type = Text)]
        server_version: String,
    }
    let mut conn = AsyncPgConnection::establish(database_url).await.ok()?;
    let row: ServerVersion = diesel::sql_query("SHOW server_version").get_result(&mut conn).await.ok()?;
    Some(row.server_version)
}

pub async fn describe(database_url: &str, profile: &str) -> Value {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let memory = first_line("/proc/meminfo", "MemTotal").unwrap_or_default();
    json!({
        "cpu": first_line("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        "cores": cores,
        "memory": memory,
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").map(|s| s.trim().to_owned()).unwrap_or_default(),
        "postgresql": postgres_version(database_url).await,
        "build": profile,
    })
}

pub fn print(machine: &Value) {
    println!(
        "catalog-sync benchmark · {} · {} cores · {} RAM · PostgreSQL {} · {} build",
        machine["cpu"].as_str().unwrap_or("?"),
        machine["cores"],
        machine["memory"].as_str().unwrap_or("?"),
        machine["postgresql"].as_str().unwrap_or("?"),
        machine["build"].as_str().unwrap_or("?"),
    );
}
