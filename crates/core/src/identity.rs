//! Identity verification (spec E.4, J-20): an Incode session goes `CREATED → SUBMITTED →
//! PROCESSED`, and its result is decided by a review. In the sandbox the review follows a rule
//! partners can rely on in tests, like Stripe's and Unit's magic values.

use crate::{provision::enums::wire_enum, time::Timestamp, DomainError};

wire_enum! {
    /// `IdentityVerificationSessionIncode.status`.
    IdvStatus {
        Created = "CREATED",
        Submitted = "SUBMITTED",
        Processed = "PROCESSED",
    }
}

wire_enum! {
    /// `IdentityVerificationSessionIncode.result.result`.
    IdvResult {
        Approved = "APPROVED",
        Rejected = "REJECTED",
    }
}

/// The only values bunq documents for a new session.
pub const PURPOSE: &str = "VERIFICATION";
pub const PROVIDER: &str = "INCODE";
/// Where the Incode SDK talks to (bunq hands out Incode's demo environment in its sandbox).
pub const URL_API: &str = "https://demo-api.incodesmile.com/0/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityVerification {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub country: String,
    pub status: IdvStatus,
    pub token: String,
    pub external_id: String,
    pub verdict: Option<Verdict>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub result: IdvResult,
    pub fail_reasons: Vec<String>,
}

impl Verdict {
    pub fn approved() -> Verdict {
        Verdict {
            result: IdvResult::Approved,
            fail_reasons: Vec::new(),
        }
    }

    pub fn rejected(reasons: Vec<String>) -> Verdict {
        Verdict {
            result: IdvResult::Rejected,
            fail_reasons: reasons,
        }
    }
}

/// Checks a new session's `purpose` and `provider`.
pub fn check_request(purpose: Option<&str>, provider: Option<&str>) -> Result<(), DomainError> {
    if purpose.is_some_and(|p| p != PURPOSE) {
        return Err(DomainError::invalid("purpose can only be VERIFICATION."));
    }
    if provider.is_some_and(|p| p != PROVIDER) {
        return Err(DomainError::invalid("provider can only be INCODE."));
    }
    Ok(())
}

/// The sandbox review, from what the user declared (documented in docs/onboarding.md, "The sandbox rule"):
/// - last name `Rejected` → REJECTED, `DOCUMENT_NOT_VALID`;
/// - last name `Mismatch` → REJECTED, `FACE_MISMATCH`;
/// - date of birth `1911-11-11` → REJECTED, `DOCUMENT_EXPIRED`;
/// - anything else → APPROVED.
///
/// Case and surrounding spaces of the last name do not matter.
pub fn sandbox_verdict(last_name: Option<&str>, date_of_birth: Option<&str>) -> Verdict {
    let last = last_name.map(|n| n.trim().to_ascii_lowercase());
    match (last.as_deref(), date_of_birth) {
        (Some("rejected"), _) => Verdict::rejected(vec!["DOCUMENT_NOT_VALID".into()]),
        (Some("mismatch"), _) => Verdict::rejected(vec!["FACE_MISMATCH".into()]),
        (_, Some("1911-11-11")) => Verdict::rejected(vec!["DOCUMENT_EXPIRED".into()]),
        _ => Verdict::approved(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_values_decide_the_sandbox_review() {
        assert_eq!(sandbox_verdict(None, None), Verdict::approved());
        assert_eq!(
            sandbox_verdict(Some("de Vries"), Some("1990-05-15")),
            Verdict::approved()
        );
        assert_eq!(
            sandbox_verdict(Some(" REJECTED "), None).result,
            IdvResult::Rejected
        );
        assert_eq!(
            sandbox_verdict(Some("Mismatch"), None).fail_reasons,
            vec!["FACE_MISMATCH".to_owned()]
        );
        assert_eq!(
            sandbox_verdict(Some("Jansen"), Some("1911-11-11")).fail_reasons,
            vec!["DOCUMENT_EXPIRED".to_owned()]
        );
    }

    #[test]
    fn only_incode_verification() {
        assert!(check_request(Some("VERIFICATION"), Some("INCODE")).is_ok());
        assert!(check_request(None, None).is_ok());
        assert!(check_request(Some("OTHER"), Some("INCODE")).is_err());
        assert!(check_request(Some("VERIFICATION"), Some("ONFIDO")).is_err());
    }
}
