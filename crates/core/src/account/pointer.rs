//! Pointers: how a payment (or a request) names its counterparty. bunq calls them aliases:
//! `{"type":"IBAN","value":"NL…","name":"…"}`, `{"type":"EMAIL","value":"x@y"}`,
//! `{"type":"PHONE_NUMBER","value":"+316…"}`. An IBAN names an account, here or elsewhere;
//! an email address or a phone number names a user held here, and through it that user's
//! primary account (the store resolves it inside the change's transaction).

use super::iban;
use crate::{text, DomainError};

/// A counterparty as named, validated and in its one stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pointer {
    /// Electronic form (upper case, no spaces), with the holder's name as the payer gave it.
    Iban { iban: String, name: String },
    /// Lower case: an address is matched without regard to case.
    Email(String),
    /// E.164: `+` and 8 to 15 digits, spaces and dashes removed.
    Phone(String),
}

impl Pointer {
    /// bunq's `type` of the pointer.
    pub fn kind(&self) -> &'static str {
        match self {
            Pointer::Iban { .. } => "IBAN",
            Pointer::Email(_) => "EMAIL",
            Pointer::Phone(_) => "PHONE_NUMBER",
        }
    }

    /// The pointer's `value` as stored.
    pub fn value(&self) -> &str {
        match self {
            Pointer::Iban { iban, .. } => iban,
            Pointer::Email(v) | Pointer::Phone(v) => v,
        }
    }

    /// The holder's name as the payer gave it: an IBAN's; empty for an email address or a
    /// phone number, whose user's name is known here.
    pub fn name(&self) -> &str {
        match self {
            Pointer::Iban { name, .. } => name,
            Pointer::Email(_) | Pointer::Phone(_) => "",
        }
    }

    /// A pointer read back from storage (`kind`, `value` as [`Pointer::kind`] and
    /// [`Pointer::value`] gave them); `None` for a kind this version does not know.
    pub fn stored(kind: &str, value: &str, name: &str) -> Option<Pointer> {
        match kind {
            "IBAN" => Some(Pointer::Iban {
                iban: value.to_owned(),
                name: name.to_owned(),
            }),
            "EMAIL" => Some(Pointer::Email(value.to_owned())),
            "PHONE_NUMBER" => Some(Pointer::Phone(value.to_owned())),
            _ => None,
        }
    }
}

/// An IBAN as sent, in its one stored form: upper case (ISO 13616 compares IBANs without
/// regard to case), spaces (the printed form's groups) removed; then validated.
pub fn checked_iban(field: &str, value: &str) -> Result<String, DomainError> {
    let compact: String = value
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if iban::is_valid(&compact) {
        Ok(compact)
    } else {
        Err(DomainError::invalid(format!(
            "{field} is not a valid IBAN (country, check digits, account): {}.",
            text::quoted(value)
        )))
    }
}

/// The longest email address (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

fn email(field: &str, value: &str) -> Result<String, DomainError> {
    let value = value.trim().to_lowercase();
    let shaped = value.len() <= MAX_EMAIL
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if shaped {
        Ok(value)
    } else {
        Err(DomainError::invalid(format!(
            "{field} is not an email address: {}.",
            text::quoted(&value)
        )))
    }
}

fn phone(field: &str, value: &str) -> Result<String, DomainError> {
    let compact: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = compact.strip_prefix('+').unwrap_or_default();
    if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(compact)
    } else {
        Err(DomainError::invalid(format!(
            "{field} is not a phone number in international form (+ and 8 to 15 digits, \
             such as \"+31612345678\"): {}.",
            text::quoted(value)
        )))
    }
}

/// Validates a pointer as sent under `field` (such as `counterparty_alias`): its `type`,
/// `value` and, for an IBAN, the holder's `name` (bunq needs it to pay an IBAN; an email
/// address or phone number names a user whose name is known).
pub fn parse(
    field: &str,
    kind: Option<&str>,
    value: Option<&str>,
    name: Option<&str>,
) -> Result<Pointer, DomainError> {
    let required = |part: &str, v: Option<&str>| {
        v.map(str::to_owned)
            .ok_or_else(|| DomainError::invalid(format!("{field}.{part} is required.")))
    };
    let kind = required("type", kind)?;
    let value = required("value", value)?;
    let value_field = format!("{field}.value");
    match kind.as_str() {
        "IBAN" => Ok(Pointer::Iban {
            iban: checked_iban(&value_field, &value)?,
            name: text::required(&format!("{field}.name"), name, text::MAX_DESCRIPTION)?,
        }),
        "EMAIL" => email(&value_field, &value).map(Pointer::Email),
        "PHONE_NUMBER" => phone(&value_field, &value).map(Pointer::Phone),
        other => Err(DomainError::invalid(format!(
            "{field}.type must be IBAN, EMAIL or PHONE_NUMBER; got {}.",
            text::quoted(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(kind: &str, value: &str, name: Option<&str>) -> Result<Pointer, String> {
        parse("alias", Some(kind), Some(value), name).map_err(|e| e.to_string())
    }

    #[test]
    fn ibans_emails_and_phone_numbers_are_stored_in_one_form() {
        assert_eq!(
            parsed("IBAN", "nl91 abna 0417 1643 00", Some("Jan")),
            Ok(Pointer::Iban {
                iban: "NL91ABNA0417164300".into(),
                name: "Jan".into()
            })
        );
        assert_eq!(
            parsed("EMAIL", " Bravo@Bunq.com ", None),
            Ok(Pointer::Email("bravo@bunq.com".into()))
        );
        assert_eq!(
            parsed("PHONE_NUMBER", "+31 6-1234 5678", None),
            Ok(Pointer::Phone("+31612345678".into()))
        );
    }

    #[test]
    fn malformed_pointers_are_refused_naming_the_field() {
        let refused = |kind: &str, value: &str, name: Option<&str>| {
            parsed(kind, value, name).err().unwrap_or_default()
        };
        assert!(refused("IBAN", "NL92ABNA0417164300", Some("J")).contains("not a valid IBAN"));
        assert!(refused("IBAN", "NL91ABNA0417164300", None).contains("alias.name"));
        for bad in [
            "x",
            "x@",
            "@y.com",
            "x@y",
            "a b@c.com",
            "x@y@z.com",
            "x@.com",
        ] {
            assert!(
                refused("EMAIL", bad, None).contains("not an email address"),
                "{bad}"
            );
        }
        for bad in ["0612345678", "+31", "+31abc45678", "+1234567890123456"] {
            assert!(
                refused("PHONE_NUMBER", bad, None).contains("international form"),
                "{bad}"
            );
        }
        assert!(refused("SWIFT", "x", None).contains("IBAN, EMAIL or PHONE_NUMBER"));
        assert!(parse("alias", None, Some("x"), None)
            .err()
            .is_some_and(|e| e.to_string() == "alias.type is required."));
    }

    #[test]
    fn stored_pointers_read_back_as_written() {
        for p in [
            Pointer::Email("a@b.nl".into()),
            Pointer::Phone("+31612345678".into()),
            Pointer::Iban {
                iban: "NL91ABNA0417164300".into(),
                name: "Jan".into(),
            },
        ] {
            assert_eq!(Pointer::stored(p.kind(), p.value(), "Jan"), Some(p));
        }
        assert_eq!(Pointer::stored("URL", "x", ""), None);
    }
}
