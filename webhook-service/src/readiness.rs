//! `GET /ready`: whether this instance can do its job, and enough about the
//! poller and the inbox to tell a stuck inward sync from a busy one.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use shared_models::db::inbound_events::{self, Backlog};
use shared_models::db::poll_cursors::{self, PollState, FAILING_AFTER};
use shared_models::error::Context;

use sync_core::inward::Poller;

use crate::startup::AppState;

/// A pending event received longer ago than this means the processor is
/// not keeping up: every retry of an event is over well before it.
const BEHIND_AFTER_SECONDS: i64 = 300;

/// Ready when the database answers and, in poll mode, no poller is failing
/// poll after poll ([`FAILING_AFTER`]): then an integration's changes stop
/// arriving, and the answer is 503 with the reason. A processor that is
/// behind shows in `checks.processor` but keeps the instance ready: taking
/// it out of service would refuse webhooks without draining the inbox.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let read = async {
        let mut conn = state.pool.get().await.context("checking out a connection for /ready")?;
        let mut backlog = Backlog::default();
        for each in inbound_events::backlogs(&mut conn).await? {
            if state.feeds.iter().any(|f| f.feed.integration() == each.integration) {
                backlog = merge(backlog, each);
            }
        }
        let mut pollers = Vec::new();
        for entry in state.feeds.iter().filter(|f| f.poll) {
            pollers.push((entry.feed.integration(), poll_cursors::find(&mut conn, &Poller::cursor_of(entry.feed.integration())).await?));
        }
        Ok::<_, shared_models::Error>((backlog, pollers))
    };
    let (backlog, pollers) = match read.await {
        Ok(read) => read,
        Err(e) => {
            log::warn!("/ready: {e}");
            let body = json!({ "status": "unavailable", "checks": { "database": "unavailable" } });
            return HttpResponse::ServiceUnavailable().json(body);
        }
    };
    let now = Utc::now();
    // The first failing poller decides, else the first one's state is shown.
    let checks: Vec<(bool, String)> = pollers.iter().map(|(_, state)| poller_check(true, state.as_ref())).collect();
    let shown = checks.iter().position(|(ok, _)| !ok).or((!checks.is_empty()).then_some(0));
    let (poller_ok, poller_check) = match shown {
        Some(i) => checks[i].clone(),
        None => (true, "off".to_owned()),
    };
    let poller = shown.and_then(|i| pollers[i].1.clone());
    let all: serde_json::Map<String, Value> = pollers.iter().map(|(name, state)| ((*name).to_owned(), json!(state))).collect();
    let body = json!({
        "status": if poller_ok { "ready" } else { "unavailable" },
        "checks": { "database": "ok", "poller": poller_check, "processor": processor_check(&backlog, now) },
        "inbox_pending": backlog.pending,
        "poller": poller,
        "pollers": all,
        "processor": processor(&backlog, now),
    });
    if poller_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Whether the poller lets the instance be ready, and what it is doing.
fn poller_check(polling: bool, state: Option<&PollState>) -> (bool, String) {
    let Some(state) = state.filter(|_| polling) else {
        return (true, if polling { "starting" } else { "off" }.into());
    };
    let error = state.last_error.as_deref().unwrap_or("unknown error");
    let since = match state.last_success_at {
        Some(at) => format!("the last success at {}", at.to_rfc3339()),
        None => "the start".into(),
    };
    match state.consecutive_failures {
        0 => (true, "ok".into()),
        n if state.is_failing() => (
            false,
            format!(
                "failing: {n} polls of {}'s events failed in a row since {since}; last error: {error}",
                state.name.trim_end_matches(".events")
            ),
        ),
        n => (true, format!("retrying: {n} poll(s) failed in a row (unready after {FAILING_AFTER}); last error: {error}")),
    }
}

/// Two integrations' backlogs as one.
fn merge(a: Backlog, b: Backlog) -> Backlog {
    let earliest = |x: Option<DateTime<Utc>>, y: Option<DateTime<Utc>>| x.into_iter().chain(y).min();
    Backlog {
        integration: String::new(),
        pending: a.pending + b.pending,
        retrying: a.retrying + b.retrying,
        oldest_pending_received_at: earliest(a.oldest_pending_received_at, b.oldest_pending_received_at),
        oldest_retrying_received_at: earliest(a.oldest_retrying_received_at, b.oldest_retrying_received_at),
    }
}

fn processor_check(backlog: &Backlog, now: DateTime<Utc>) -> String {
    match age_seconds(backlog.oldest_pending_received_at, now) {
        Some(age) if age > BEHIND_AFTER_SECONDS => {
            format!("behind: the oldest of {} pending event(s) was received {age} s ago ({} retrying)", backlog.pending, backlog.retrying)
        }
        _ => "ok".into(),
    }
}

fn processor(backlog: &Backlog, now: DateTime<Utc>) -> Value {
    json!({
        "pending": backlog.pending,
        "retrying": backlog.retrying,
        "oldest_pending_received_at": backlog.oldest_pending_received_at,
        "oldest_pending_age_seconds": age_seconds(backlog.oldest_pending_received_at, now),
        "oldest_retrying_received_at": backlog.oldest_retrying_received_at,
        "oldest_retrying_age_seconds": age_seconds(backlog.oldest_retrying_received_at, now),
    })
}

fn age_seconds(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    at.map(|at| (now - at).num_seconds().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(failures: i32) -> PollState {
        PollState {
            name: Poller::cursor_of("stripe"),
            created_from: 0,
            last_success_at: None,
            last_failure_at: None,
            consecutive_failures: failures,
            last_error: Some("Stripe call failed: boom".into()),
            missed: None,
            missed_at: None,
        }
    }

    #[test]
    fn the_poller_makes_the_instance_unready_only_once_it_keeps_failing() {
        assert_eq!(poller_check(false, Some(&state(9))), (true, "off".into()));
        assert_eq!(poller_check(true, None), (true, "starting".into()));
        assert_eq!(poller_check(true, Some(&state(0))), (true, "ok".into()));
        assert!(poller_check(true, Some(&state(FAILING_AFTER - 1))).0);
        let (ok, why) = poller_check(true, Some(&state(FAILING_AFTER)));
        assert!(!ok);
        assert!(why.starts_with("failing: ") && why.contains("boom"), "{why}");
    }
}
