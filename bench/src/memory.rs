//! 5. Memory: resident set of each service when idle and at its peak under
//!    all the load above, read from /proc (VmRSS, VmHWM).

use std::collections::HashMap;

use crate::report::Report;
use crate::stack::{Stack, BINARIES};

const BUDGET_MB: f64 = 50.0;

pub fn report(report: &mut Report, idle: &HashMap<&'static str, f64>, stack: &Stack) {
    Report::heading("5. Memory: resident set size per service process");
    let mut worst: Option<(&str, f64)> = None;
    for name in BINARIES {
        let (idle, peak) = (idle.get(name).copied().unwrap_or(f64::NAN), stack.peak(name).unwrap_or(f64::NAN));
        report.add("memory", name, format!("idle {idle:.1} MB · peak {peak:.1} MB"), serde_json::json!({"idle_mb": idle, "peak_mb": peak}));
        if worst.is_none_or(|(_, w)| peak > w || peak.is_nan()) {
            worst = Some((name, peak));
        }
    }
    let (name, peak) = worst.unwrap_or(("-", f64::NAN));
    report.check("Each service under 50 MB RSS at peak", format!("largest: {name}, {peak:.1} MB"), peak < BUDGET_MB);
}
