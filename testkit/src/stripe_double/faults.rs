//! The faults a real Stripe plays and the emulator cannot: a request held on
//! the way that lands after its caller gave up, an answer lost after the
//! request landed, slow answers, and 429/5xx. Each is a rule (which calls,
//! how many times), or, for a soak, drawn at random from a seed.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Held before it reaches Stripe. It lands when `release_held` is
    /// called, or after the duration, whether or not its caller still
    /// waits for the answer: a write whose answer never came may still
    /// happen, later.
    Hold(Option<Duration>),
    /// Held like `Hold`, and once it landed its answer never comes back.
    HoldAndLose(Option<Duration>),
    /// Lands at once, but its answer never comes back.
    LoseAnswer,
    /// Lands at once and is answered after the delay.
    Slow(Duration),
    /// Answered at once with this status (429, 503...), never landing and
    /// never kept under the key: refused before it began executing.
    Fail(u16),
    /// A 5xx after the request began executing. Stripe saves that answer
    /// under the idempotency key and replays it to every resend with the
    /// key for at least 24 hours ("Idempotent requests": "Stripe saves the
    /// resulting status code and body of the first request made for any
    /// given idempotency key, regardless of whether it succeeds or fails.
    /// Subsequent requests with the same key return the same result,
    /// including 500 errors", docs.stripe.com/api/idempotent_requests).
    /// Whether the write took effect before it failed Stripe does not say,
    /// so both are played: `landed` or not.
    ServerError { status: u16, landed: bool },
}

/// Which calls a rule applies to: a method (any write if `None`) and a path.
#[derive(Debug, Clone)]
pub struct Calls {
    method: Option<&'static str>,
    path: String,
    /// Every path under `path`, not only `path` itself.
    under: bool,
}

impl Calls {
    /// `method` calls of exactly `path` (`POST /v1/customers`: creates).
    pub fn new(method: &'static str, path: &str) -> Self {
        Self { method: Some(method), path: path.to_owned(), under: false }
    }

    /// Every call that writes (POST or DELETE) at or under `path`.
    pub fn writes(path: &str) -> Self {
        Self { method: None, path: path.to_owned(), under: true }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method {
            Some(m) => m == method,
            None => method != "GET",
        };
        method_ok && if self.under { path.starts_with(&self.path) } else { path == self.path }
    }
}

struct Rule {
    calls: Calls,
    fault: Fault,
    remaining: Option<u32>,
}

/// Random faults for a soak, reproducible from `seed`: each write gets at
/// most one, with these probabilities.
#[derive(Debug, Clone)]
pub struct Chaos {
    pub seed: u64,
    pub hold: f64,
    pub lose_answer: f64,
    pub slow: f64,
    pub fail: f64,
    /// How long a held request waits before it lands.
    pub hold_for: Duration,
    pub slow_for: Duration,
}

#[derive(Default)]
pub struct Faults {
    rules: Vec<Rule>,
    chaos: Option<(Chaos, StdRng)>,
}

impl Faults {
    /// `times`: how many matching calls get it (`None`: all, until cleared).
    pub fn add(&mut self, calls: Calls, fault: Fault, times: Option<u32>) {
        self.rules.push(Rule { calls, fault, remaining: times });
    }

    pub fn chaos(&mut self, chaos: Option<Chaos>) {
        self.chaos = chaos.map(|c| {
            let rng = StdRng::seed_from_u64(c.seed);
            (c, rng)
        });
    }

    pub fn clear(&mut self) {
        self.rules.clear();
        self.chaos = None;
    }

    /// The fault this call gets, if any: the first rule that matches, else
    /// a draw of the chaos (writes only).
    pub fn pick(&mut self, method: &str, path: &str) -> Option<Fault> {
        if let Some(rule) = self.rules.iter_mut().find(|r| r.calls.matches(method, path) && r.remaining != Some(0)) {
            if let Some(n) = rule.remaining.as_mut() {
                *n -= 1;
            }
            return Some(rule.fault);
        }
        let (chaos, rng) = self.chaos.as_mut()?;
        if method == "GET" {
            return None;
        }
        let draw: f64 = rng.random();
        let mut edge = chaos.hold;
        if draw < edge {
            return Some(Fault::Hold(Some(chaos.hold_for)));
        }
        edge += chaos.lose_answer;
        if draw < edge {
            return Some(Fault::LoseAnswer);
        }
        edge += chaos.slow;
        if draw < edge {
            return Some(Fault::Slow(chaos.slow_for));
        }
        edge += chaos.fail;
        if draw < edge {
            return Some(match rng.random_range(0..4) {
                0 => Fault::Fail(429),
                1 => Fault::Fail(503),
                n => Fault::ServerError { status: 500, landed: n == 3 },
            });
        }
        None
    }
}
