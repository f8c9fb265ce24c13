//! Salesforce's timestamps, and the org's own clock. Records carry
//! milliseconds and a `+0000` offset; HTTP headers carry whole seconds.
//!
//! The org's clock is ours plus a skew a test sets (`Controls::skew_clock`):
//! a real org's servers do not share the client's clock, and a sync that
//! builds `If-Unmodified-Since` or a poll cursor from its own clock must be
//! tested against one that disagrees. Every stamp, `/deleted/`'s now,
//! `issued_at` and the `Date` header read this clock.
//!
//! Write stamps never repeat and never go back, so (Id, SystemModstamp)
//! tells every write apart, as a poller that deduplicates on that pair
//! expects. Should the skew move the clock back, stamps keep counting up
//! one millisecond at a time from the last one handed out until the clock
//! catches up; `now` itself does go back, as a server's clock stepped back
//! by NTP would.

use chrono::{DateTime, TimeDelta, Utc};

/// `2026-12-01T10:00:00.000+0000`, as the REST API writes datetimes.
pub fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// `Tue, 01 Dec 2026 10:00:00 GMT`, as HTTP headers write dates.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// The datetimes SOQL and the replication API accept: `Z`, `+0000` or
/// `+00:00`, with or without milliseconds.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .map(|at| at.with_timezone(&Utc))
}

/// An `If-Unmodified-Since` value (RFC 7231's IMF-fixdate is RFC 2822's form).
pub fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text).ok().map(|at| at.with_timezone(&Utc))
}

/// Cut to the millisecond Salesforce keeps.
fn millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

/// Cut to whole seconds: what an HTTP date can say.
pub fn seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// The org's clock: ours moved by `skew`, and the write stamps it hands out.
#[derive(Default)]
pub struct Clock {
    skew: TimeDelta,
    last: Option<DateTime<Utc>>,
}

impl Clock {
    /// The org's time now, to the millisecond.
    pub fn now(&self) -> DateTime<Utc> {
        millis(Utc::now() + self.skew)
    }

    /// How far the org's clock runs ahead of ours (negative: behind).
    pub fn set_skew(&mut self, skew: TimeDelta) {
        self.skew = skew;
    }

    /// A write stamp: now, or one millisecond after the last one if that
    /// is not earlier (two writes in a millisecond, or a clock set back).
    pub fn stamp(&mut self) -> DateTime<Utc> {
        let now = self.now();
        let at = match self.last {
            Some(last) if now <= last => last + TimeDelta::milliseconds(1),
            _ => now,
        };
        self.last = Some(at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_strictly_increase_and_format_as_salesforce_does() {
        let mut clock = Clock::default();
        let stamps: Vec<_> = (0..50).map(|_| clock.stamp()).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
        let at = parse("2026-12-01T10:00:00.000+0000").expect("a datetime");
        assert_eq!(format(at), "2026-12-01T10:00:00.000+0000");
        assert_eq!(parse("2026-12-01T10:00:00Z"), Some(at));
        assert_eq!(parse_http_date(&http_date(at)), Some(at));
    }

    #[test]
    fn a_skew_moves_now_but_never_a_stamp_back() {
        let mut clock = Clock::default();
        clock.set_skew(TimeDelta::hours(1));
        let ahead = clock.stamp();
        assert!(ahead > Utc::now() + TimeDelta::minutes(59));
        clock.set_skew(TimeDelta::hours(-1));
        assert!(clock.now() < ahead);
        let after = clock.stamp();
        assert_eq!(after, ahead + TimeDelta::milliseconds(1), "counts on from the last stamp");
    }
}
