//! bunq's classic rate limits (spec A.8, J-12): per source address, endpoint and method,
//! GET 3 (`HEAD` included), POST 5 and PUT 2 calls per 3 seconds; session creation 1 per 30
//! seconds per API key or credential (not per address, so a partner provisioning several users
//! in a row is not refused), counting only sessions opened (`take` and `give_back`). Off by
//! default; on in the `strict` profile.
//!
//! A fixed window per key, because that is how bunq states the rule ("a maximum of X calls per
//! Y second") and what its 429 message says. Limits are kept in memory, per process: N API
//! processes on one database allow N times each limit (docs/configuration.md says so, under
//! Profiles). Counting in the database would cost a write on every request for a sandbox's
//! fidelity.

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
/// Sandbox users created per source address (`POST /v1/sandbox-user-person`, `-company`):
/// an unauthenticated write, so limited in every profile; ten a minute is more than a test
/// suite's set-up needs and little for a loop gone wrong.
pub const SANDBOX_USER: Limit = Limit::new(10, 60);

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

    /// Counts a call that may turn out not to count: `Err` when it is over `limit`, else the
    /// [`Counted`] to [`give_back`](Windows::give_back) if it does not.
    pub fn take(&self, key: K, limit: Limit) -> Result<Counted, Refused> {
        self.take_at(key, limit, Instant::now())
    }

    /// Uncounts a call [`take`](Windows::take) counted, if its window is still running.
    pub fn give_back(&self, key: &K, counted: Counted) {
        let Ok(mut windows) = self.windows.lock() else {
            return;
        };
        if let Some((start, count)) = windows.get_mut(key) {
            if *start == counted.window {
                *count = count.saturating_sub(1);
            }
        }
    }

    fn allow_at(&self, key: K, limit: Limit, now: Instant) -> bool {
        self.take_at(key, limit, now).is_ok()
    }

    /// Counts a call in `key`'s window: the window's start when within `limit`.
    fn take_at(&self, key: K, limit: Limit, now: Instant) -> Result<Counted, Refused> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(Counted { window: now });
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
        if *count <= limit.calls {
            Ok(Counted { window: *start })
        } else {
            Err(Refused)
        }
    }
}

/// A call [`Windows::take`] counted, in the window that started at `window`.
#[derive(Debug, Clone, Copy)]
#[must_use = "a counted call is given back when it turns out not to count"]
pub struct Counted {
    window: Instant,
}

/// Over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

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

    #[test]
    fn a_call_given_back_leaves_its_slot_free_in_its_window_only() {
        let w = Windows::default();
        let t0 = Instant::now();
        let counted = w.take_at("k", SESSION, t0);
        assert!(counted.is_ok());
        assert_eq!(w.take_at("k", SESSION, t0).err(), Some(Refused));
        if let Ok(counted) = counted {
            w.give_back(&"k", counted);
        }
        // The refused call counted too (a fixed window only needs to know it is over).
        assert!(w.take_at("k", SESSION, t0).is_err());
        let w = Windows::default();
        if let Ok(counted) = w.take_at("k", SESSION, t0) {
            w.give_back(&"k", counted);
        }
        assert!(
            w.take_at("k", SESSION, t0).is_ok(),
            "the slot is free again"
        );
        // Giving back a call of a window that has ended changes nothing in the next one.
        let later = t0 + Duration::from_secs(30);
        let old = w.take_at("j", SESSION, t0);
        assert!(w.take_at("j", SESSION, later).is_ok());
        if let Ok(old) = old {
            w.give_back(&"j", old);
        }
        assert!(w.take_at("j", SESSION, later).is_err());
    }
}
