//! Salesforce's clock, as the `Date` of its answers tells it. A `Date` holds
//! whole seconds and was written before the answer reached us, so each
//! answer gives a lower bound of Salesforce's clock less ours; the highest
//! of the last ten minutes is taken. Times sent to Salesforce are thus never
//! later than they should be: an `If-Unmodified-Since` that errs, errs
//! early, and a 412 it causes is read back and found to be our own write
//! (`conditional`), while one that erred late could let our write overwrite
//! a person's later edit.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

/// A lower bound this old gives way to the next one: clocks are adjusted.
const KEEP: Duration = Duration::from_secs(600);

#[derive(Default)]
pub(crate) struct ServerClock {
    best: Mutex<Option<(TimeDelta, Instant)>>,
}

impl ServerClock {
    /// An answer's `Date` header, read as it arrives.
    pub(crate) fn note(&self, date: &str) {
        let Ok(theirs) = DateTime::parse_from_rfc2822(date) else { return };
        let sample = theirs.with_timezone(&Utc) - Utc::now();
        let mut best = self.best.lock().unwrap_or_else(PoisonError::into_inner);
        let keep = best.is_some_and(|(held, at)| held >= sample && at.elapsed() < KEEP);
        if !keep {
            *best = Some((sample, Instant::now()));
        }
    }

    /// Salesforce's clock less ours, once an answer told it.
    pub(crate) fn offset(&self) -> Option<TimeDelta> {
        self.best.lock().unwrap_or_else(PoisonError::into_inner).map(|(offset, _)| offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_lower_bound_is_kept() {
        let clock = ServerClock::default();
        assert_eq!(clock.offset(), None);
        let ahead = |seconds: i64| (Utc::now() + TimeDelta::seconds(seconds)).format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        clock.note(&ahead(120));
        let first = clock.offset().expect("an offset");
        assert!(first <= TimeDelta::seconds(120) && first > TimeDelta::seconds(118), "{first}");
        clock.note(&ahead(100));
        assert_eq!(clock.offset(), Some(first), "a lower sample does not replace a fresh higher one");
        clock.note("not a date");
        assert_eq!(clock.offset(), Some(first));
    }
}
