//! A note on a payment (bunq `NoteTextPayment`): free text the user keeps with it.

use crate::{
    model::{MonetaryAccountId, PaymentId, UserId},
    text::is_forbidden,
    time::Timestamp,
    DomainError,
};

/// A note as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentNote {
    pub id: i64,
    pub payment_id: PaymentId,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub content: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// The longest note, in characters.
pub const MAX_NOTE: usize = 5_000;

/// A note's `content`: required, at most [`MAX_NOTE`] characters, without control characters
/// other than line breaks (a note is free prose, unlike a description).
pub fn note_content(content: Option<&str>) -> Result<String, DomainError> {
    let content = content.unwrap_or_default();
    if content.trim().is_empty() {
        return Err(DomainError::invalid("content is required."));
    }
    if content.chars().count() > MAX_NOTE {
        return Err(DomainError::invalid(format!(
            "content is longer than {MAX_NOTE} characters."
        )));
    }
    if let Some(c) = content
        .chars()
        .find(|c| *c != '\n' && *c != '\r' && is_forbidden(*c))
    {
        return Err(DomainError::invalid(format!(
            "content contains a control character (U+{:04X}), which is not allowed.",
            u32::from(c)
        )));
    }
    Ok(content.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_keep_line_breaks_and_refuse_the_rest() {
        assert_eq!(note_content(Some("a\nb")).ok().as_deref(), Some("a\nb"));
        assert!(note_content(Some("  ")).is_err());
        assert!(note_content(None).is_err());
        assert!(note_content(Some("a\u{202E}b")).is_err());
        assert!(note_content(Some(&"x".repeat(MAX_NOTE + 1))).is_err());
        assert!(note_content(Some(&"x".repeat(MAX_NOTE))).is_ok());
    }
}
