//! A card's secrets: its PAN (a Luhn-valid number in a Mastercard test range, so no real
//! card number is ever issued), CVC2 codes, and the PIN, which is kept only as a salted
//! PBKDF2-HMAC-SHA256 hash.

use std::num::NonZeroU32;

use aws_lc_rs::{pbkdf2, rand};

use crate::DomainError;

/// The issuer prefix of provisio's PANs: Mastercard's well-known test range (`5555 55…`).
pub const PAN_PREFIX: &str = "555555";
const PAN_LENGTH: usize = 16;
const PIN_ITERATIONS: u32 = 100_000;

/// Random decimal digits, uniform: bytes of 250 and above are drawn again (250 is a multiple
/// of 10).
fn random_digits(n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut bytes = [0u8; 32];
    while out.len() < n {
        // The system RNG failing is not something a caller can act on; UUIDs are random too.
        if rand::fill(&mut bytes).is_err() {
            bytes[..16].copy_from_slice(crate::ids::fresh_uuid().as_bytes());
            bytes[16..].copy_from_slice(crate::ids::fresh_uuid().as_bytes());
        }
        for b in bytes.iter().filter(|b| **b < 250).take(n - out.len()) {
            out.push(char::from(b'0' + b % 10));
        }
    }
    out
}

/// The Luhn check digit for `payload` (all digits).
pub fn luhn_check_digit(payload: &str) -> char {
    let sum: u32 = payload
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    char::from(b'0' + u8::try_from((10 - sum % 10) % 10).unwrap_or(0))
}

/// Whether `pan` is all digits with a valid Luhn check digit.
pub fn luhn_valid(pan: &str) -> bool {
    if pan.len() < 2 || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (payload, check) = pan.split_at(pan.len() - 1);
    check.starts_with(luhn_check_digit(payload))
}

/// A fresh random PAN in the test range (the store makes it unique).
pub fn generate_pan() -> String {
    let mut payload = PAN_PREFIX.to_owned();
    payload.push_str(&random_digits(PAN_LENGTH - PAN_PREFIX.len() - 1));
    let check = luhn_check_digit(&payload);
    payload.push(check);
    payload
}

/// A fresh three-digit CVC2.
pub fn generate_cvc2() -> String {
    random_digits(3)
}

/// A PIN as sent: exactly four digits.
pub fn parse_pin(pin: &str) -> Result<String, DomainError> {
    if pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(pin.to_owned())
    } else {
        Err(DomainError::invalid(
            "pin_code must be exactly four digits.",
        ))
    }
}

/// `salt$hash`, both hex, for storing.
pub fn hash_pin(pin: &str) -> String {
    let salt = random_digits(16);
    format!("{salt}${}", hex::encode(derive(pin, salt.as_bytes())))
}

/// Whether `pin` matches a stored [`hash_pin`] value (compared in constant time).
pub fn verify_pin(pin: &str, stored: &str) -> bool {
    let Some((salt, hash)) = stored.split_once('$') else {
        return false;
    };
    let Ok(expected) = hex::decode(hash) else {
        return false;
    };
    let iterations = NonZeroU32::new(PIN_ITERATIONS).unwrap_or(NonZeroU32::MIN);
    pbkdf2::verify(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        pin.as_bytes(),
        &expected,
    )
    .is_ok()
}

fn derive(pin: &str, salt: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let iterations = NonZeroU32::new(PIN_ITERATIONS).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt,
        pin.as_bytes(),
        &mut out,
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pans_are_luhn_valid_test_range_numbers() {
        for _ in 0..100 {
            let pan = generate_pan();
            assert_eq!(pan.len(), 16);
            assert!(pan.starts_with(PAN_PREFIX));
            assert!(luhn_valid(&pan), "{pan}");
        }
        // Known test numbers.
        assert!(luhn_valid("5555555555554444"));
        assert!(luhn_valid("5105105105105100"));
        assert!(!luhn_valid("5555555555554445"));
    }

    #[test]
    fn pins_are_hashed_and_verified() {
        let stored = hash_pin("1234");
        assert!(!stored.contains("1234$"));
        assert!(verify_pin("1234", &stored));
        assert!(!verify_pin("4321", &stored));
        assert_ne!(hash_pin("1234"), stored, "salted");
        assert!(parse_pin("12a4").is_err());
        assert!(parse_pin("12345").is_err());
    }

    #[test]
    fn cvc2s_are_three_digits() {
        let c = generate_cvc2();
        assert_eq!(c.len(), 3);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
    }
}
