//! Attachments (spec E.5, E.6): files a user uploads, checked by what they contain, and the
//! identity documents that point at them.

use crate::{onboarding::country, text::quoted, time::Timestamp, DomainError};

/// The file types bunq accepts.
pub const CONTENT_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "application/pdf"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub user_id: i64,
    pub content_type: String,
    pub description: Option<String>,
    pub created: Timestamp,
}

/// Checks an upload: a supported declared type, a body that is not empty, and content that
/// really is of the declared type (a renamed file is refused).
pub fn check_upload(declared: Option<&str>, content: &[u8]) -> Result<String, DomainError> {
    let declared = declared
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .ok_or_else(|| {
            DomainError::invalid(
                "Content-Type is required: image/png, image/jpeg, image/gif or application/pdf.",
            )
        })?;
    if !CONTENT_TYPES.contains(&declared.as_str()) {
        return Err(DomainError::invalid(format!("Content-Type {} is not supported; send image/png, image/jpeg, image/gif or application/pdf.", quoted(&declared)
        )));
    }
    if content.is_empty() {
        return Err(DomainError::invalid("The attachment is empty."));
    }
    let detected = infer::get(content).map(|t| t.mime_type());
    if detected != Some(declared.as_str()) {
        return Err(DomainError::invalid(format!(
            "The attachment's content is not {declared}{}.",
            detected
                .map(|d| format!(" (it looks like {d})"))
                .unwrap_or_default()
        )));
    }
    Ok(declared)
}

/// Document types a `document-identification` may name.
pub const DOCUMENT_TYPES: [&str; 5] = [
    "PASSPORT",
    "ID_CARD",
    "DRIVING_LICENSE",
    "RESIDENCE_PERMIT",
    "CRYPTO_KYC_QUESTIONNAIRE",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub document_type: String,
    pub country: String,
    pub front: i64,
    pub back: Option<i64>,
}

impl NewDocument {
    pub fn validate(
        document_type: Option<&str>,
        country_of_issuance: Option<&str>,
        front: Option<i64>,
        back: Option<i64>,
    ) -> Result<NewDocument, DomainError> {
        let document_type = document_type
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| DomainError::invalid("document_type is required."))?;
        let document_type = Some(document_type)
            .filter(|t| DOCUMENT_TYPES.contains(t))
            .ok_or_else(|| {
                DomainError::invalid(format!(
                    "document_type must be one of {}.",
                    DOCUMENT_TYPES.join(", ")
                ))
            })?;
        let country = country(
            "document_country_of_issuance",
            country_of_issuance.unwrap_or_default(),
        )?;
        let front =
            front.ok_or_else(|| DomainError::invalid("document_attachment_id is required."))?;
        Ok(NewDocument {
            document_type: document_type.to_owned(),
            country,
            front,
            back,
        })
    }

    pub fn attachments(&self) -> Vec<i64> {
        std::iter::once(self.front).chain(self.back).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const PDF: &[u8] = b"%PDF-1.7\n";

    #[test]
    fn content_must_match_the_declared_type() {
        assert_eq!(
            check_upload(Some("image/png"), PNG).ok().as_deref(),
            Some("image/png")
        );
        assert!(check_upload(Some("application/pdf; charset=binary"), PDF).is_ok());
        assert!(check_upload(Some("image/jpeg"), PNG).is_err());
        assert!(check_upload(Some("image/png"), b"hello").is_err());
        assert!(check_upload(Some("image/png"), b"").is_err());
        assert!(check_upload(Some("text/plain"), b"hello").is_err());
        assert!(check_upload(None, PNG).is_err());
    }

    #[test]
    fn documents_name_a_type_a_country_and_a_front() {
        assert!(NewDocument::validate(Some("PASSPORT"), Some("NL"), Some(1), None).is_ok());
        assert!(NewDocument::validate(Some("SELFIE"), Some("NL"), Some(1), None).is_err());
        assert!(NewDocument::validate(Some("PASSPORT"), Some("XX"), Some(1), None).is_err());
        assert!(NewDocument::validate(Some("PASSPORT"), Some("NL"), None, Some(2)).is_err());
    }
}
