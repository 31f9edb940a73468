//! bunq timestamps: UTC, `YYYY-MM-DD hh:mm:ss.ffffff` (spec A.6), never ISO `T`/`Z`.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike};
use provisio_core::time::Timestamp;

const FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// Formats microseconds since the Unix epoch.
pub fn format(micros: i64) -> String {
    let at = DateTime::from_timestamp_micros(micros).unwrap_or_default();
    let (date, time) = (at.date_naive(), at.time());
    // Years outside 0000–9999 take a sign in `%Y`; chrono writes those.
    if !(0..=9999).contains(&date.year()) {
        return at.format(FORMAT).to_string();
    }
    let year = date.year().unsigned_abs();
    // Written digit by digit into a fixed buffer: every timestamp of every answer, and the
    // request log's entry for every request, comes through here. chrono's `format` parses
    // `FORMAT` again on each call, and `format!` with padding cost ~3,000 instructions a
    // timestamp (callgrind, docs/benchmarks.md).
    let mut text = *b"0000-00-00 00:00:00.000000";
    let fields = [
        (0..4, year),
        (5..7, date.month()),
        (8..10, date.day()),
        (11..13, time.hour()),
        (14..16, time.minute()),
        (17..19, time.second()),
        (20..26, time.nanosecond() / 1_000),
    ];
    for (place, mut value) in fields {
        for digit in text.get_mut(place).into_iter().flatten().rev() {
            // `value % 10` is below 10.
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    // Only ASCII digits and separators were written.
    std::str::from_utf8(&text).map_or_else(|_| at.format(FORMAT).to_string(), str::to_owned)
}

/// A domain timestamp as bunq writes it.
pub fn ts(t: Timestamp) -> String {
    format(t.micros())
}

/// Parses a bunq timestamp back into microseconds since the Unix epoch.
pub fn parse(text: &str) -> Option<i64> {
    NaiveDateTime::parse_from_str(text, FORMAT)
        .ok()
        .map(|t| t.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_fractional_digits_with_a_space() {
        assert_eq!(format(1_770_748_395_807_152), "2026-02-10 18:33:15.807152");
        assert_eq!(format(0), "1970-01-01 00:00:00.000000");
    }

    #[test]
    fn the_fast_path_writes_what_chrono_writes() {
        let chrono_format = |micros: i64| {
            DateTime::from_timestamp_micros(micros)
                .unwrap_or_default()
                .format(FORMAT)
                .to_string()
        };
        // The epoch, before it, a leap day, the last microsecond of a year, year 9999 and past
        // it (chrono's sign), and the end of chrono's range (the epoch instead).
        for micros in [
            0,
            -1,
            -62_135_596_800_000_000,
            951_782_400_000_001,
            1_767_225_599_999_999,
            253_402_300_799_999_999,
            253_402_300_800_000_000,
            i64::MAX,
        ] {
            assert_eq!(format(micros), chrono_format(micros), "{micros}");
        }
        // And a sweep over the years 0000–9999, every field's digits in many places.
        let (first, last) = (-62_167_219_200_000_000_i64, 253_402_300_799_999_999_i64);
        let step = (last - first) / 100_003;
        for micros in (0..=100_003).map(|i| first + i * step + i % 1_000_000) {
            assert_eq!(format(micros), chrono_format(micros), "{micros}");
        }
        assert_eq!(
            format(253_402_300_800_000_000),
            "+10000-01-01 00:00:00.000000"
        );
    }

    #[test]
    fn round_trips() {
        let t = 1_770_748_395_807_152;
        assert_eq!(parse(&format(t)), Some(t));
        assert_eq!(parse("2026-02-10T18:33:15Z"), None);
    }
}
