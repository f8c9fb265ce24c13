//! Keeps the suite from rotting: `bench --quick` must run every section
//! against the real services and report every figure and budget line. The
//! figures themselves are not checked (a debug build under a test runner
//! measures nothing worth holding to); what must hold at any speed is.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn service_binaries_built() -> bool {
    let bench = PathBuf::from(env!("CARGO_BIN_EXE_bench"));
    let dir = bench.parent().map(PathBuf::from).unwrap_or_default();
    ["api-service", "webhook-service", "sync-worker"].iter().all(|b| dir.join(b).is_file())
}

#[test]
fn the_quick_run_reports_every_section_and_loses_nothing() {
    // Arrange: `cargo test --workspace` builds the service binaries next to
    // the bench; the bench would build them itself, but not while this
    // cargo holds the build folder.
    assert!(service_binaries_built(), "build the services first: cargo build --workspace (scripts/test.sh does)");
    let json = std::env::temp_dir().join(format!("bench-quick-{}.json", std::process::id()));

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_bench")).args(["--quick", "--json"]).arg(&json).output().expect("run the bench");

    // Assert
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "bench --quick failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&std::fs::read(&json).expect("the JSON report")).expect("JSON");
    let _ = std::fs::remove_file(&json);
    let figures = report["figures"].as_array().expect("figures");
    for section in ["api", "outward", "inward", "workers", "hang", "salesforce", "invoices", "memory", "growth"] {
        assert!(figures.iter().any(|f| f["section"] == section), "no figure of section {section}:\n{stdout}");
    }
    assert_eq!(report["budget"].as_array().map(Vec::len), Some(14), "one line per budget rule:\n{stdout}");
    assert!(stdout.contains("Budget (a FAIL is a finding"), "the budget is printed:\n{stdout}");
    // Whatever the speed, nothing is lost: every change reached Stripe, every
    // webhook change showed through the API.
    let steady = figures.iter().find(|f| f["name"] == "instant Stripe double, steady").expect("outward steady figure");
    assert_eq!((steady["data"]["lost"].as_u64(), steady["data"]["errors"].as_u64()), (Some(0), Some(0)), "{stdout}");
    let inward = figures.iter().find(|f| f["name"] == "webhook -> visible through the API").expect("inward lag figure");
    assert_eq!(inward["data"]["lost"].as_u64(), Some(0), "{stdout}");
    for workers in figures.iter().filter(|f| f["section"] == "workers") {
        assert_eq!(workers["data"]["lost"].as_u64(), Some(0), "{stdout}");
    }
    // And with Salesforce: every create reached it, every edit there came in,
    // and nothing came in was written back to it.
    for name in ["outward: API 201 -> Contact upserted", "inward: edit in Salesforce -> visible in API"] {
        let figure = figures.iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no figure {name}:\n{stdout}"));
        assert_eq!(figure["data"]["lost"].as_u64(), Some(0), "{name}:\n{stdout}");
    }
    let echo = figures.iter().find(|f| f["name"] == "API calls per change in, beyond polling").expect("calls figure");
    assert_eq!(echo["data"]["writes"].as_u64(), Some(0), "{stdout}");
    // Every invoice reached Stripe as a draft with both its lines.
    let invoices = figures.iter().find(|f| f["section"] == "invoices").expect("invoice lag figure");
    assert_eq!(invoices["data"]["lost"].as_u64(), Some(0), "{stdout}");
    // Memory was read from /proc for each service.
    for memory in figures.iter().filter(|f| f["section"] == "memory") {
        assert!(memory["data"]["peak_mb"].as_f64().is_some_and(|mb| mb > 1.0), "{stdout}");
    }
}
