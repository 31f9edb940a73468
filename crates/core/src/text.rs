//! Free text from clients: what may be stored, and how much of it an error message repeats.
//!
//! Names, addresses, tax numbers, descriptions and answers end up in databases, logs, webhook
//! bodies and other people's screens. Control characters there hide or reorder what a reader
//! sees (bidi overrides, the trick behind "Trojan Source") or cut strings short (NUL), so every
//! free-text field is checked here, once, by the same rule.

use crate::DomainError;

/// The longest description (of a device, of an attachment), in characters.
pub const MAX_DESCRIPTION: usize = 255;

/// How many characters of an input an error message repeats.
pub const MAX_ECHO: usize = 100;

/// Input repeated in an error message: in double quotes, at most [`MAX_ECHO`] characters
/// (then "…"), control characters shown as `\u{…}` escapes rather than sent raw.
pub fn quoted(input: &str) -> String {
    let mut out = String::with_capacity(input.len().min(MAX_ECHO * 4) + 2);
    out.push('"');
    for (i, c) in input.chars().enumerate() {
        if i == MAX_ECHO {
            out.push('…');
            break;
        }
        if is_forbidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// C0 and C1 controls (NUL, ESC, DEL, …) and the bidi embedding, override and isolate
/// characters (U+202A–U+202E, U+2066–U+2069).
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Refuses free text that contains a control character, naming the field (never repeating
/// the text: it is what cannot be shown safely).
pub fn check_text(field: &str, value: &str) -> Result<(), DomainError> {
    match value.chars().find(|c| is_forbidden(*c)) {
        Some(c) => Err(DomainError::invalid(format!(
            "{field} contains a control character (U+{:04X}), which is not allowed.",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// A required, non-empty text field of at most `max` characters, without control characters.
/// Returns it trimmed.
pub fn required(field: &str, value: Option<&str>, max: usize) -> Result<String, DomainError> {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(DomainError::invalid(format!("{field} is required.")));
    }
    if value.chars().count() > max {
        return Err(DomainError::invalid(format!(
            "{field} is longer than {max} characters."
        )));
    }
    check_text(field, value)?;
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        for bad in [
            "a\0b",
            "tab\there",
            "line\nbreak",
            "\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
            "\u{202E}gnp.exe",
            "\u{2066}iso",
            "\u{2069}",
        ] {
            assert!(check_text("name", bad).is_err(), "{bad:?}");
        }
        for good in [
            "Jan de Vries",
            "Zoë Ångström",
            "محمد",
            "李小龍",
            "O'Brien-Smith",
        ] {
            assert!(check_text("name", good).is_ok(), "{good:?}");
        }
        let message = check_text("first_name", "a\u{202E}b")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            message,
            "first_name contains a control character (U+202E), which is not allowed."
        );
    }

    #[test]
    fn echoes_are_short_and_harmless() {
        assert_eq!(quoted("abc"), "\"abc\"");
        let long = "x".repeat(500);
        let echoed = quoted(&long);
        assert_eq!(echoed.chars().count(), MAX_ECHO + 3);
        assert!(echoed.ends_with("…\""));
        assert_eq!(quoted("a\0b"), "\"a\\u{0}b\"");
        // Characters, not bytes: a multi-byte string is cut on a character boundary.
        assert_eq!(quoted(&"é".repeat(150)).chars().count(), MAX_ECHO + 3);
    }
}
