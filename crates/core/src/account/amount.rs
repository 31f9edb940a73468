//! Money as bunq writes it: decimal strings with exactly two decimals ("100.00"), kept as
//! integer minor units (10000) so no amount ever passes through a float.

use crate::{text, DomainError};

/// Parses `"123.45"` into 12345 minor units. Refused: a sign (amounts here are never
/// negative), exponents, other than exactly two decimals, grouping, more than 15 digits
/// before the point, leading zeros (`01.00`, `00.50`; `0.50` is fine). `field` names the
/// amount in the error.
pub fn parse_minor(field: &str, value: &str) -> Result<i64, DomainError> {
    let refuse = || {
        DomainError::invalid(format!(
            "{field} must be a decimal amount with exactly two decimals, such as \"100.00\"; got {}.",
            text::quoted(value)
        ))
    };
    let (units, cents) = value.split_once('.').ok_or_else(refuse)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || units.len() > 15 || cents.len() != 2 || !digits(cents) {
        return Err(refuse());
    }
    // bunq writes `0.50` and `10.00`, never `00.50` or `01.00`.
    if units.len() > 1 && units.starts_with('0') {
        return Err(DomainError::invalid(format!(
            "{field} must be a decimal amount with no leading zeros, such as \"1.00\" or \"0.50\"; got {}.",
            text::quoted(value)
        )));
    }
    let units: i64 = units.parse().map_err(|_| refuse())?;
    let cents: i64 = cents.parse().map_err(|_| refuse())?;
    units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .ok_or_else(refuse)
}

/// 12345 → `"123.45"`, -5 → `"-0.05"`.
pub fn format_minor(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// An ISO 4217 currency code: three upper-case letters.
pub fn parse_currency(field: &str, value: &str) -> Result<String, DomainError> {
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(value.to_owned())
    } else {
        Err(DomainError::invalid(format!(
            "{field} must be an ISO 4217 currency code of three capital letters, such as \"EUR\"; got {}.",
            text::quoted(value)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_decimals_round_trip() {
        for (text, minor) in [
            ("0.00", 0),
            ("0.01", 1),
            ("100.00", 10_000),
            ("10000.00", 1_000_000),
            ("123.45", 12_345),
            ("999999999999999.99", 99_999_999_999_999_999),
        ] {
            assert_eq!(parse_minor("amount", text).ok(), Some(minor), "{text}");
            assert_eq!(format_minor(minor), text);
        }
        assert_eq!(format_minor(-5), "-0.05");
        assert_eq!(format_minor(-12_345), "-123.45");
    }

    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "100",
            "100.0",
            "100.000",
            "1e2",
            "1.00e2",
            "-1.00",
            "+1.00",
            ".50",
            "1,00",
            "1 000.00",
            "",
            " 1.00",
            "1.00 ",
            "0x10.00",
            "NaN",
            "1000000000000000.00",
            "١.٠٠",
        ] {
            assert!(parse_minor("amount", bad).is_err(), "{bad:?}");
        }
        let message = parse_minor("daily_limit.value", "1.000")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("exactly two decimals"), "{message}");
    }

    #[test]
    fn leading_zeros_are_refused() {
        for good in ["0.50", "0.00", "10.00", "100.00"] {
            assert!(parse_minor("amount", good).is_ok(), "{good:?}");
        }
        for bad in ["00001.00", "00.50", "01.00", "00.00", "010.00"] {
            let message = parse_minor("amount.value", bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(message.contains("no leading zeros"), "{message}");
            assert!(message.contains("amount.value"), "{message}");
        }
    }

    #[test]
    fn currencies_are_three_capitals() {
        assert!(parse_currency("currency", "EUR").is_ok());
        for bad in ["eur", "EURO", "E1R", "", "€"] {
            assert!(parse_currency("currency", bad).is_err(), "{bad}");
        }
    }
}
