//! Salesforce's timestamps. Records carry milliseconds and a `+0000`
//! offset; HTTP headers carry whole seconds. The clock never hands out the
//! same instant twice, so (Id, SystemModstamp) tells every write apart, as a
//! poller that deduplicates on that pair expects.

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

/// Now, cut to the millisecond Salesforce keeps.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now)
}

/// Cut to whole seconds: what an HTTP date can say.
pub fn seconds(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at)
}

/// Hands out write stamps, each strictly later than the one before.
#[derive(Default)]
pub struct Clock {
    last: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn stamp(&mut self) -> DateTime<Utc> {
        let now = now();
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
}
