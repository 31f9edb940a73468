//! bunq's classic rate limits (spec A.8, J-12): per source address, endpoint and method,
//! GET 3, POST 5 and PUT 2 calls per 3 seconds; session creation 1 per 30 seconds per API key
//! or credential (not per address, so a partner provisioning several users in a row is not
//! refused). Off by default; on in the `strict` profile.
//!
//! A fixed window per key, because that is how bunq states the rule ("a maximum of X calls per
//! Y seconds") and what its 429 message says. Limits are kept in memory, per process.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Keys kept before old windows are swept.
const SWEEP_AT: usize = 65_536;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub calls: u32,
    pub per: Duration,
}

impl Limit {
    pub const fn new(calls: u32, seconds: u64) -> Limit {
        Limit {
            calls,
            per: Duration::from_secs(seconds),
        }
    }

    /// bunq's wording, word for word ("1 calls per 30 second" included).
    pub fn message(self) -> String {
        format!(
            "Too many requests. You can do a maximum of {} calls per {} second to this endpoint.",
            self.calls,
            self.per.as_secs()
        )
    }
}

pub const GET: Limit = Limit::new(3, 3);
pub const POST: Limit = Limit::new(5, 3);
pub const PUT: Limit = Limit::new(2, 3);
pub const SESSION: Limit = Limit::new(1, 30);

pub struct Windows<K> {
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq> Default for Windows<K> {
    fn default() -> Self {
        Windows {
            windows: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq> Windows<K> {
    /// Counts a call; false when it is over `limit`.
    pub fn allow(&self, key: K, limit: Limit) -> bool {
        self.allow_at(key, limit, Instant::now())
    }

    fn allow_at(&self, key: K, limit: Limit, now: Instant) -> bool {
        let Ok(mut windows) = self.windows.lock() else {
            return true;
        };
        if windows.len() >= SWEEP_AT {
            windows.retain(|_, (start, _)| now.duration_since(*start) < limit.per);
        }
        let (start, count) = windows.entry(key).or_insert((now, 0));
        if now.duration_since(*start) >= limit.per {
            *start = now;
            *count = 0;
        }
        *count += 1;
        *count <= limit.calls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_calls_then_refuses_until_it_ends() {
        let w = Windows::default();
        let t0 = Instant::now();
        assert!((0..3).all(|_| w.allow_at("k", GET, t0)));
        assert!(!w.allow_at("k", GET, t0 + Duration::from_secs(2)));
        assert!(w.allow_at("other", GET, t0), "keys are independent");
        assert!(w.allow_at("k", GET, t0 + Duration::from_secs(3)));
        assert_eq!(
            GET.message(),
            "Too many requests. You can do a maximum of 3 calls per 3 second to this endpoint."
        );
    }
}
