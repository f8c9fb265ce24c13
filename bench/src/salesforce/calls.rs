//! What the sync spends of Salesforce's daily API quota: the calls the
//! double logged in a window, sorted into polling and the rest, and the
//! arithmetic of an org's day.

use std::time::Duration;

use serde::Serialize;
use testkit::salesforce_double::Logged;
use testkit::SalesforceDouble;

use super::lags::starts_a_poll;
use super::POLL_MS;
use crate::stats::rate;

/// The smallest daily quota of an Enterprise org (100,000 plus 1,000 per licence).
const ORG_QUOTA: f64 = 100_000.0;
/// SALESFORCE_QUOTA_RESERVE_PERCENT's default: left to the org's other apps.
const RESERVE: f64 = 0.10;
/// SALESFORCE_POLL_INTERVAL_MS's default.
const DEFAULT_POLL_SECONDS: f64 = 10.0;
const TOKEN_PATH: &str = "/services/oauth2/token";

/// The calls logged from `open` to `close`.
pub struct Window {
    from: usize,
}

impl Window {
    pub fn open(double: &SalesforceDouble) -> Self {
        Self { from: double.calls().len() }
    }

    pub fn close(self, double: &SalesforceDouble) -> Vec<Logged> {
        double.calls().into_iter().skip(self.from).collect()
    }
}

/// A poll's calls: its query, the query's further pages, and `/deleted/`.
fn polling(call: &Logged) -> bool {
    call.method == "GET" && (call.path.contains("/queryAll") || call.path.contains("/sobjects/Contact/deleted"))
}

/// The calls a window's changes cost, polling left out (its own figure).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct PerChange {
    pub changes: usize,
    /// Calls that count against the quota, polling left out.
    pub calls: usize,
    /// Of which changed a record.
    pub writes: usize,
    /// Token requests (not counted against the quota).
    pub tokens: usize,
    pub calls_per_change: f64,
}

impl PerChange {
    pub fn of(calls: &[Logged], changes: usize) -> Self {
        let tokens = calls.iter().filter(|c| c.path == TOKEN_PATH).count();
        let counted: Vec<&Logged> = calls.iter().filter(|c| c.path != TOKEN_PATH && !polling(c)).collect();
        let writes = counted.iter().filter(|c| c.is_write()).count();
        let calls_per_change = if changes == 0 { f64::NAN } else { counted.len() as f64 / changes as f64 };
        Self { changes, calls: counted.len(), writes, tokens, calls_per_change }
    }

    pub fn describe(&self) -> String {
        format!(
            "{:.2} ({} calls, {} of them writes, for {} changes; {} token requests)",
            self.calls_per_change, self.calls, self.writes, self.changes, self.tokens
        )
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Idle {
    pub seconds: f64,
    pub polls: usize,
    pub calls: usize,
    pub calls_per_poll: f64,
}

impl Idle {
    pub fn describe(&self) -> String {
        format!("{:.2} ({} calls in {} polls over {:.0} s, nothing changing)", self.calls_per_poll, self.calls, self.polls, self.seconds)
    }
}

/// The calls polling alone makes while nothing changes anywhere.
pub async fn idle_polling(double: &SalesforceDouble, for_how_long: Duration) -> Idle {
    // The poll after the last change may still be reading it.
    tokio::time::sleep(Duration::from_millis(POLL_MS * 2)).await;
    let window = Window::open(double);
    tokio::time::sleep(for_how_long).await;
    let calls = window.close(double);
    let polls = calls.iter().filter(|c| starts_a_poll(c)).count();
    let spent = calls.iter().filter(|c| polling(c)).count();
    let calls_per_poll = if polls == 0 { f64::NAN } else { spent as f64 / polls as f64 };
    Idle { seconds: for_how_long.as_secs_f64(), polls, calls: spent, calls_per_poll }
}

/// An org's day at the default poll interval, with the measured costs.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Quota {
    pub org_quota: f64,
    pub reserve: f64,
    pub polling_per_day: f64,
    pub changes_per_day: f64,
}

impl Quota {
    pub fn of(calls_per_change: f64, calls_per_poll: f64) -> Self {
        let polling_per_day = calls_per_poll * 86_400.0 / DEFAULT_POLL_SECONDS;
        let left = ORG_QUOTA * (1.0 - RESERVE) - polling_per_day;
        let changes_per_day = if calls_per_change > 0.0 { left.max(0.0) / calls_per_change } else { f64::NAN };
        Self { org_quota: ORG_QUOTA, reserve: RESERVE, polling_per_day, changes_per_day }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} kept for other apps, polling every {DEFAULT_POLL_SECONDS:.0} s spends {}: room for {} changes out a day",
            rate(self.org_quota * self.reserve),
            rate(self.polling_per_day),
            rate(self.changes_per_day)
        )
    }
}
