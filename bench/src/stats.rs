//! Latency percentiles and rates, computed the same way for every figure.

use std::time::Duration;

use serde::Serialize;

/// p50 / p99 / max of a set of samples, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(samples: &[Duration]) -> Self {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1_000.0).collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| -> f64 {
            if ms.is_empty() {
                return f64::NAN;
            }
            // Nearest rank: the smallest sample with at least q of them at or below it.
            let rank = (q * ms.len() as f64).ceil().max(1.0) as usize;
            ms[rank.min(ms.len()) - 1]
        };
        Self { count: ms.len(), p50_ms: at(0.50), p99_ms: at(0.99), max_ms: ms.last().copied().unwrap_or(f64::NAN) }
    }

    pub fn describe(&self) -> String {
        format!("p50 {} · p99 {} · max {} ms (n={})", ms(self.p50_ms), ms(self.p99_ms), ms(self.max_ms), self.count)
    }
}

/// What a load run achieved: the rate, the latency of each call, and how
/// many calls failed (a failed call is not counted in the rate).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Load {
    pub per_second: f64,
    pub latency: Latency,
    pub errors: usize,
}

impl Load {
    pub fn describe(&self) -> String {
        let errors = if self.errors > 0 { format!(" · {} errors", self.errors) } else { String::new() };
        format!("{} /s · {}{errors}", rate(self.per_second), self.latency.describe())
    }
}

/// Milliseconds with the precision that matters at their size.
pub fn ms(value: f64) -> String {
    match value {
        v if v.is_nan() => "-".into(),
        v if v < 10.0 => format!("{v:.2}"),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}

pub fn rate(value: f64) -> String {
    match value {
        v if v.is_nan() => "-".into(),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let latency = Latency::of(&samples);
        assert_eq!((latency.p50_ms, latency.p99_ms, latency.max_ms, latency.count), (50.0, 99.0, 100.0, 100));
        let one = Latency::of(&[Duration::from_millis(7)]);
        assert_eq!((one.p50_ms, one.p99_ms), (7.0, 7.0));
        assert!(Latency::of(&[]).p50_ms.is_nan());
    }
}
