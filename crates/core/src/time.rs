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

/// The longest duration provisio takes anywhere: 100 years, so that no sum of durations and
/// timestamps overflows and a virtual "now" stays within four-digit years.
pub const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 86_400);

/// The one duration syntax of every flag, body and form: a whole number followed by `ms`, `s`,
/// `m`, `h` or `d` (`500ms`, `5s`, `15m`, `2h`, `7d`), zero included, at most
/// [`MAX_DURATION`]. A unit is always required: a bare `30` would be seconds to one reader and
/// minutes to another. What a context forbids on top (the clock moves forward only, see
/// [`clock_step`]) is checked after parsing, with its own message, so a malformed duration gets
/// the same error from every place that takes one.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let usage = || {
        format!(
            "{} is not a duration: write a whole number and a unit (ms, s, m, h or d), \
             e.g. 500ms, 5s, 15m, 2h or 7d.",
            crate::text::quoted(text)
        )
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(usage)?;
    let (digits, unit) = trimmed.split_at(split);
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(usage()),
    };
    if digits.is_empty() {
        return Err(usage());
    }
    let too_long = || {
        format!(
            "{} is too long: at most 100 years (36500d).",
            crate::text::quoted(text)
        )
    };
    let count: u64 = digits.parse().map_err(|_| too_long())?;
    let millis = count.checked_mul(millis_per_unit).ok_or_else(too_long)?;
    let duration = Duration::from_millis(millis);
    if duration > MAX_DURATION {
        return Err(too_long());
    }
    Ok(duration)
}

/// How far the sandbox's clock may be moved at once: it only moves forward, by at least a
/// second (its offset is shown and kept in whole seconds by the CLI and the dashboard).
pub fn clock_step(by: Duration) -> Result<Duration, String> {
    if by < Duration::from_secs(1) {
        return Err(
            "The clock only moves forward, by at least 1s: e.g. 30s, 15m, 2h or 7d.".to_owned(),
        );
    }
    Ok(by)
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
        for (text, expected) in [
            ("500ms", Duration::from_millis(500)),
            ("0ms", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("5s", Duration::from_secs(5)),
            (" 30s ", Duration::from_secs(30)),
            ("15m", Duration::from_secs(900)),
            ("2h", Duration::from_secs(7200)),
            ("7d", Duration::from_secs(604_800)),
            ("36500d", MAX_DURATION),
        ] {
            assert_eq!(parse_duration(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn bad_durations_get_one_message() {
        for bad in [
            "", " ", "d", "ms", "3", "-1h", "1.5h", "3w", "h2", "2 h", "2H", "5sec", "1h30m",
            "soon", "٣s",
        ] {
            let err = parse_duration(bad).err().unwrap_or_default();
            assert!(
                err.ends_with(
                    "is not a duration: write a whole number and a unit (ms, s, m, h or d), \
                     e.g. 500ms, 5s, 15m, 2h or 7d."
                ),
                "{bad:?}: {err}"
            );
        }
        for far in ["99999999999999999999d", "36501d", "18446744073709551615ms"] {
            let err = parse_duration(far).err().unwrap_or_default();
            assert!(err.contains("at most 100 years"), "{far:?}: {err}");
        }
    }

    #[test]
    fn the_clock_moves_forward_by_a_second_or_more() {
        assert_eq!(
            clock_step(Duration::from_secs(1)),
            Ok(Duration::from_secs(1))
        );
        for short in [Duration::ZERO, Duration::from_millis(999)] {
            let err = clock_step(short).err().unwrap_or_default();
            assert!(err.contains("only moves forward"), "{err}");
        }
    }

    #[test]
    fn until_is_zero_for_the_past() {
        assert_eq!(Timestamp(10).until(Timestamp(5)), Duration::ZERO);
        assert_eq!(Timestamp(5).until(Timestamp(10)), Duration::from_micros(5));
    }
}
