//! bunq timestamps: UTC, `YYYY-MM-DD hh:mm:ss.ffffff` (spec A.6), never ISO `T`/`Z`.

use chrono::{DateTime, NaiveDateTime};
use provisio_core::time::Timestamp;

const FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// Formats microseconds since the Unix epoch.
pub fn format(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format(FORMAT)
        .to_string()
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
    fn round_trips() {
        let t = 1_770_748_395_807_152;
        assert_eq!(parse(&format(t)), Some(t));
        assert_eq!(parse("2026-02-10T18:33:15Z"), None);
    }
}
