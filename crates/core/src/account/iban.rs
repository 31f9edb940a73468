//! IBANs (ISO 13616) for provisio's accounts: Dutch, bank code `BUNQ`, a 10-digit account
//! number, and check digits by the mod-97 rule (ISO 7064), so any IBAN validator accepts them.

/// The country and bank code of every IBAN provisio issues.
const COUNTRY: &str = "NL";
const BANK: &str = "BUNQ";

/// How many account numbers an NL IBAN has room for (10 digits).
pub const ACCOUNT_NUMBERS: u64 = 10_000_000_000;

/// The IBAN of account number `number` (taken modulo [`ACCOUNT_NUMBERS`]), e.g.
/// `NL`kk`BUNQ0123456789`, in the electronic form (no spaces).
pub fn nl_bunq(number: u64) -> String {
    let bban = format!("{BANK}{:010}", number % ACCOUNT_NUMBERS);
    let check = 98 - mod97(&format!("{bban}{COUNTRY}00"));
    format!("{COUNTRY}{check:02}{bban}")
}

/// Whether `iban` (electronic form, no spaces) has a valid shape and check digits. The
/// country's own BBAN format is not checked beyond letters and digits.
pub fn is_valid(iban: &str) -> bool {
    let bytes = iban.as_bytes();
    if !(15..=34).contains(&bytes.len())
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..4].iter().all(u8::is_ascii_digit)
        || !bytes[4..]
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    mod97(&format!("{}{}", &iban[4..], &iban[..4])) == 1
}

/// The remainder of the number the text spells (letters as 10..35) divided by 97, digit by
/// digit so it never overflows.
fn mod97(text: &str) -> u32 {
    text.chars().fold(0, |rem, c| {
        let value = c.to_digit(36).unwrap_or(0);
        if value < 10 {
            (rem * 10 + value) % 97
        } else {
            (rem * 100 + value) % 97
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ibans_validate() {
        for good in [
            "NL91ABNA0417164300",
            "GB82WEST12345698765432",
            "DE89370400440532013000",
            "GB33BUKB20201555555555",
            "NL20INGB0001234567",
        ] {
            assert!(is_valid(good), "{good}");
        }
        for bad in [
            "NL92ABNA0417164300",
            "NL91ABNA0417164301",
            "nl91abna0417164300",
            "NL91 ABNA 0417 1643 00",
            "NL91",
            "",
            "XX00",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
    }

    #[test]
    fn issued_ibans_are_valid_dutch_bunq_ibans() {
        for n in [0, 1, 123_456_789, 9_999_999_999, 42_424_242_424] {
            let iban = nl_bunq(n);
            assert_eq!(iban.len(), 18, "{iban}");
            assert!(iban.starts_with("NL") && &iban[4..8] == "BUNQ", "{iban}");
            assert!(is_valid(&iban), "{iban}");
        }
        assert_eq!(&nl_bunq(123_456_789)[8..], "0123456789");
        assert_ne!(nl_bunq(1), nl_bunq(2));
    }
}
