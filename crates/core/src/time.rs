//! Time as provisio sees it: UTC microseconds since the Unix epoch, read from a [`Clock`].
//!
//! Microseconds because bunq's timestamps carry six fractional digits, and an integer is
//! stored and compared identically by SQLite and PostgreSQL. The clock is a trait so that
//! tests and sandbox operators can move time without sleeping.
//!
//! [`SystemClock`] adds two offsets to the system time: the *shared* one, which mirrors the
//! virtual clock stored in the database (the server refreshes it, see `provisio-server`'s
//! `sandbox_clock`), and a *local* one that only this process sees (in-process tests move it).

use std::{
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A point in time: microseconds since 1970-01-01 00:00:00 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn micros(self) -> i64 {
        self.0
    }

    /// `self + d`, saturating rather than overflowing on absurd durations.
    pub fn plus(self, d: Duration) -> Timestamp {
        let micros = i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
        Timestamp(self.0.saturating_add(micros))
    }

    /// How long from `self` until `later`; zero if `later` is not after `self`.
    pub fn until(self, later: Timestamp) -> Duration {
        Duration::from_micros(u64::try_from(later.0.saturating_sub(self.0)).unwrap_or(0))
    }
}

/// Where "now" comes from.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// Tells the clock the shared virtual offset (microseconds) read from the database. The
    /// offset only grows, so a stale reading never moves the clock back.
    fn observe_shared_offset(&self, _micros: i64) {}

    /// The shared offset as last observed (microseconds).
    fn shared_offset(&self) -> i64 {
        0
    }

    /// Tells the clock the shared offset read from the database, which the mirror follows
    /// even downwards (after a reset to real time) as long as it still holds `seen`, what it
    /// held when the read began: a reading that raced with a move made meanwhile is dropped
    /// (the next one is fresh), so it never undoes that move.
    fn follow_shared_offset(&self, _seen: i64, micros: i64) {
        self.observe_shared_offset(micros);
    }

    /// Back to real time: both offsets to zero (the database's is set by the store).
    fn reset_to_real(&self) {}
}

/// The system clock plus the shared virtual offset plus a process-local offset. Both start at
/// zero and only move forward, to make sessions and credentials expire on demand.
#[derive(Debug, Default)]
pub struct SystemClock {
    shared_micros: AtomicI64,
    local_micros: AtomicI64,
}

impl SystemClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves this process's clock forward (never backward: stored times must not run ahead of
    /// "now"). Other processes do not see it; the sandbox's durable clock is advanced through
    /// the store and [`Clock::observe_shared_offset`].
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
        self.local_micros.fetch_add(micros, Ordering::SeqCst);
    }

    /// The shared offset as last observed.
    pub fn shared_offset(&self) -> i64 {
        self.shared_micros.load(Ordering::SeqCst)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let micros = i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX);
        Timestamp(
            micros
                .saturating_add(self.shared_micros.load(Ordering::SeqCst))
                .saturating_add(self.local_micros.load(Ordering::SeqCst)),
        )
    }

    fn observe_shared_offset(&self, micros: i64) {
        self.shared_micros.fetch_max(micros, Ordering::SeqCst);
    }

    fn shared_offset(&self) -> i64 {
        self.shared_micros.load(Ordering::SeqCst)
    }

    fn follow_shared_offset(&self, seen: i64, micros: i64) {
        if micros >= seen {
            self.observe_shared_offset(micros);
        } else {
            let _ = self.shared_micros.compare_exchange(
                seen,
                micros,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
    }

    fn reset_to_real(&self) {
        self.shared_micros.store(0, Ordering::SeqCst);
        self.local_micros.store(0, Ordering::SeqCst);
    }
}

/// How far the virtual clock may run ahead of the real one, in all: 100 years. Repeated
/// advances stop there, so "now" stays within the four-digit years bunq's timestamps have.
pub const MAX_CLOCK_OFFSET_MICROS: i64 = 100 * 365 * 86_400 * 1_000_000;

/// Parses a sandbox duration: a positive whole number followed by `s`, `m`, `h` or `d`
/// (`30s`, `15m`, `2h`, `7d`), at most 100 years.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const MAX_SECS: u64 = 100 * 365 * 86_400;
    let usage = || {
        format!(
            "{text:?} is not a duration: use a positive whole number followed by s, m, h or d, \
             e.g. 30s, 15m, 2h or 7d."
        )
    };
    let text = text.trim();
    let unit = text.chars().last().ok_or_else(usage)?;
    let per_unit: u64 = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(usage()),
    };
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage());
    }
    let count: u64 = digits.parse().map_err(|_| usage())?;
    if count == 0 {
        return Err(format!(
            "{text:?}: the clock only moves forward by a positive amount."
        ));
    }
    match count.checked_mul(per_unit) {
        Some(secs) if secs <= MAX_SECS => Ok(Duration::from_secs(secs)),
        _ => Err(format!("{text:?} is too far: at most 100 years at a time.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = SystemClock::new();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().0 - before.0 >= 3_600_000_000);
    }

    #[test]
    fn a_reset_is_followed_unless_a_move_came_meanwhile() {
        let clock = SystemClock::new();
        clock.observe_shared_offset(5_000_000);
        // A reading begun before an advance made here must not undo it.
        clock.follow_shared_offset(1_000_000, 0);
        assert_eq!(clock.shared_offset(), 5_000_000);
        clock.follow_shared_offset(5_000_000, 0);
        assert_eq!(clock.shared_offset(), 0);
        clock.advance(Duration::from_secs(60));
        clock.observe_shared_offset(7_000_000);
        clock.reset_to_real();
        assert_eq!(clock.shared_offset(), 0);
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        assert!(clock.now().micros() - (real.as_micros() as i64) < 1_000_000);
    }

    #[test]
    fn shared_offset_only_grows() {
        let clock = SystemClock::new();
        clock.observe_shared_offset(5_000_000);
        clock.observe_shared_offset(1_000_000);
        assert_eq!(clock.shared_offset(), 5_000_000);
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        for bad in [
            "",
            "d",
            "0s",
            "-1h",
            "1.5h",
            "3w",
            "h2",
            "99999999999999999999d",
            "40000d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn until_is_zero_for_the_past() {
        assert_eq!(Timestamp(10).until(Timestamp(5)), Duration::ZERO);
        assert_eq!(Timestamp(5).until(Timestamp(10)), Duration::from_micros(5));
    }
}
