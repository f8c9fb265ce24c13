//! Invoices in memory behind an emulator: localstripe keeps the customers
//! (and the soak's realistic path for them), while it cannot make a
//! one-off invoice, finalize one or serve its lines (INVOICE_FACTS.md). In
//! this mode the double answers `/v1/invoices*` and `/v1/invoiceitems*`
//! from memory, with any customer id the emulator holds, and its event
//! list is both: the emulator's pages first, then memory's, so a poller
//! that walks `GET /v1/events` to its end reads the invoices' events too.
//! Memory sends no webhooks here: the poller is how they come in.

use std::sync::atomic::Ordering;

use super::{lock, State, StripeDouble};

/// Memory's event ids (`memory::events`); the emulator's never look so.
const MEMORY_EVENT: &str = "evt_dbl";

impl StripeDouble {
    /// With an upstream emulator: invoices, invoice items and their events
    /// answered from memory, everything else forwarded (see the module).
    pub fn invoices_in_memory(&self) {
        lock(&self.state.memory).customers_elsewhere = true;
        self.state.invoices_here.store(true, Ordering::SeqCst);
    }
}

/// Whether this call is memory's in the mode: an invoice, an item, or one
/// of memory's events read by id.
pub(super) fn served_here(state: &State, path: &str) -> bool {
    state.invoices_here.load(Ordering::SeqCst)
        && (path.starts_with("/v1/invoices")
            || path.starts_with("/v1/invoiceitems")
            || path.strip_prefix("/v1/events/").is_some_and(|id| id.starts_with(MEMORY_EVENT)))
}

/// Whether `GET /v1/events` must merge both lists.
pub(super) fn merges_events(state: &State, method: &str, path: &str) -> bool {
    state.invoices_here.load(Ordering::SeqCst) && method == "GET" && path.trim_end_matches('/') == "/v1/events"
}

fn memory_events(state: &State, params: &[(String, String)]) -> (u16, serde_json::Value) {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    lock(&state.memory).answer("GET", "/v1/events", &query, b"")
}

/// One page of the merged list: the emulator's pages until it has no
/// more, then memory's. A cursor from memory's part stays there.
/// `upstream` answers the call as the emulator would.
pub(super) async fn events<F>(state: &State, query: &str, upstream: F) -> (u16, String, bool)
where
    F: std::future::Future<Output = (u16, String, bool)>,
{
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let cursor = params.iter().find(|(k, _)| k == "starting_after").map(|(_, v)| v.as_str());
    if cursor.is_some_and(|c| c.starts_with(MEMORY_EVENT)) {
        let (status, page) = memory_events(state, &params);
        return (status, page.to_string(), true);
    }
    let (status, body, executed) = upstream.await;
    let Ok(mut page) = serde_json::from_str::<serde_json::Value>(&body) else { return (status, body, executed) };
    if status != 200 || page["has_more"] == true {
        return (status, body, executed);
    }
    let shown = page["data"].as_array().map_or(0, Vec::len);
    let limit: usize = params.iter().find(|(k, _)| k == "limit").and_then(|(_, v)| v.parse().ok()).unwrap_or(10);
    // Memory's part from its start, as many as the page has room for.
    let mut rest: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "starting_after" && k != "limit").collect();
    rest.push(("limit".into(), limit.saturating_sub(shown).max(1).to_string()));
    let (mem_status, memory) = memory_events(state, &rest);
    if mem_status != 200 {
        return (mem_status, memory.to_string(), true);
    }
    let more = memory["data"].as_array().cloned().unwrap_or_default();
    if shown >= limit {
        // No room: the next page (after the emulator's last) starts memory's.
        page["has_more"] = serde_json::Value::Bool(!more.is_empty());
    } else if let Some(data) = page["data"].as_array_mut() {
        data.extend(more);
        page["has_more"] = memory["has_more"].clone();
    }
    (200, page.to_string(), executed)
}
