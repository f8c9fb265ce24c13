//! What the suite found: every figure next to its limit, printed as a table
//! while the run goes on, and kept for the budget and the JSON report.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;

/// One line of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub section: &'static str,
    pub name: String,
    pub text: String,
    pub data: Value,
}

/// One line of the budget: a finding when it fails, never a broken build.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub line: String,
    pub measured: String,
    pub pass: bool,
}

#[derive(Default, Serialize)]
pub struct Report {
    pub machine: Value,
    pub quick: bool,
    pub seconds: f64,
    pub figures: Vec<Figure>,
    pub budget: Vec<Check>,
}

impl Report {
    /// Records a figure and prints its line at once.
    pub fn add(&mut self, section: &'static str, name: impl Into<String>, text: impl Into<String>, data: impl Serialize) {
        let figure = Figure { section, name: name.into(), text: text.into(), data: serde_json::to_value(data).unwrap_or(Value::Null) };
        println!("{:<10} {:<46} {}", figure.section, figure.name, figure.text);
        self.figures.push(figure);
    }

    pub fn check(&mut self, line: impl Into<String>, measured: impl Into<String>, pass: bool) {
        self.budget.push(Check { line: line.into(), measured: measured.into(), pass });
    }

    pub fn print_budget(&self) {
        println!("\nBudget (a FAIL is a finding to explain, not a broken build)");
        for check in &self.budget {
            println!("  {}  {:<66} {}", if check.pass { "PASS" } else { "FAIL" }, check.line, check.measured);
        }
        let failed = self.budget.iter().filter(|c| !c.pass).count();
        println!("  {} of {} lines pass; the suite took {:.0} s", self.budget.len() - failed, self.budget.len(), self.seconds);
    }

    pub fn heading(section: &str) {
        println!("\n== {section}");
    }
}

/// A progress bar on stderr for one step; cleared when the step is done, so
/// the table on stdout stays clean.
pub fn step(label: &str, len: usize) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    if let Ok(style) = ProgressStyle::with_template("  {spinner} {msg:<40} {bar:30} {pos}/{len} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
