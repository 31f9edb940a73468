//! Money as bunq writes it: decimal strings with exactly two decimals ("100.00"), kept as
//! integer minor units (10000) so no amount ever passes through a float.

use crate::{text, DomainError};

/// The largest amount anything may move or limit: 1,000,000,000.00. bunq documents no largest
/// amount (its `Amount` is a decimal string; its limits are per product, at most 50,000.00 a
/// day for cards); this bound keeps every sum of amounts far from `i64`'s end, and no sandbox
/// test needs more.
pub const MAX_AMOUNT_MINOR: i64 = 100_000_000_000;
/// The most an account may hold: 1,000,000,000,000.00 (a thousand of the largest amounts).
/// bunq documents none either; without one, operator credits could take a balance past
/// `i64::MAX` minor units, and every later write to that account, and the ledger's sums,
/// failed. A write that would take a balance past it is refused.
pub const MAX_BALANCE_MINOR: i64 = 100_000_000_000_000;

/// Parses `"123.45"` into 12345 minor units. Refused: a sign (amounts here are never
/// negative), exponents, other than exactly two decimals, grouping, more than 15 digits
/// before the point, leading zeros (`01.00`, `00.50`; `0.50` is fine), more than
/// [`MAX_AMOUNT_MINOR`]. Every amount a client or operator sends passes here. `field` names
/// the amount in the error.
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
    let minor = units
        .checked_mul(100)
        .and_then(|u| u.checked_add(cents))
        .ok_or_else(refuse)?;
    if minor > MAX_AMOUNT_MINOR {
        return Err(DomainError::invalid(format!(
            "{field} must be at most {}, the largest amount provisio takes; got {}.",
            format_minor(MAX_AMOUNT_MINOR),
            text::quoted(value)
        )));
    }
    Ok(minor)
}

/// Whether crediting `amount` to a balance of `balance` would take it past
/// [`MAX_BALANCE_MINOR`] (both non-negative, so the subtraction cannot overflow).
pub fn passes_max_balance(balance: i64, amount: i64) -> bool {
    amount > MAX_BALANCE_MINOR - balance
}

/// The refusal of a credit that would take an account past [`MAX_BALANCE_MINOR`]. It names
/// neither the balance nor the amount: a payer must not learn what the payee holds.
pub fn max_balance_refusal(currency: &str) -> String {
    format!(
        "This would take the receiving account's balance past {} {currency}, the most an \
         account holds.",
        format_minor(MAX_BALANCE_MINOR)
    )
}

/// 12345 → `"123.45"`, -5 → `"-0.05"`; any integer up to `i128` (the ledger's sums).
pub fn format_minor(minor: impl Into<i128>) -> String {
    let minor: i128 = minor.into();
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
            ("1000000000.00", MAX_AMOUNT_MINOR),
        ] {
            assert_eq!(parse_minor("amount", text).ok(), Some(minor), "{text}");
            assert_eq!(format_minor(minor), text);
        }
        assert_eq!(
            format_minor(99_999_999_999_999_999_i64),
            "999999999999999.99"
        );
        assert_eq!(
            format_minor(i128::from(i64::MAX) * 3),
            "276701161105643274.21"
        );
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
    fn amounts_past_the_largest_are_refused_naming_it() {
        for bad in ["1000000000.01", "999999999999999.99", "100000000000.00"] {
            let message = parse_minor("amount.value", bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(message.contains("at most 1000000000.00"), "{message}");
            assert!(message.contains("amount.value"), "{message}");
        }
        assert!(!passes_max_balance(MAX_BALANCE_MINOR - 1, 1));
        assert!(passes_max_balance(MAX_BALANCE_MINOR - 1, 2));
        assert!(passes_max_balance(MAX_BALANCE_MINOR, MAX_AMOUNT_MINOR));
        assert!(!passes_max_balance(0, MAX_AMOUNT_MINOR));
        let refusal = max_balance_refusal("EUR");
        assert!(refusal.contains("past 1000000000000.00 EUR"), "{refusal}");
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
