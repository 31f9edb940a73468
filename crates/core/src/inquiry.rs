//! Compliance inquiries (spec G): bunq asks a user for information, entry by entry; the user
//! answers each entry; bunq reviews the answers and finalizes the inquiry. An inquiry's status
//! follows from its entries, so it is computed here and never set by hand.

use crate::{provision::enums::wire_enum, text::quoted, time::Timestamp, DomainError};

wire_enum! {
    /// `UserInformationInquiry.status`.
    InquiryStatus {
        ExpectingReplyFromUser = "EXPECTING_REPLY_FROM_USER",
        ExpectingReplyFromBunq = "EXPECTING_REPLY_FROM_BUNQ",
        Finalized = "FINALIZED",
    }
}

wire_enum! {
    /// `UserInformationInquiryEntry.status`.
    EntryStatus {
        Pending = "PENDING",
        Submitted = "SUBMITTED",
        WaitingForReview = "WAITING_FOR_REVIEW",
        AutoApproved = "AUTO_APPROVED",
        AutoRejected = "AUTO_REJECTED",
        Approved = "APPROVED",
        Rejected = "REJECTED",
        Cancelled = "CANCELLED",
    }
}

impl EntryStatus {
    /// Nothing more will happen to the entry.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            EntryStatus::AutoApproved
                | EntryStatus::AutoRejected
                | EntryStatus::Approved
                | EntryStatus::Rejected
                | EntryStatus::Cancelled
        )
    }

    pub fn is_rejected(self) -> bool {
        matches!(self, EntryStatus::Rejected | EntryStatus::AutoRejected)
    }
}

impl InquiryStatus {
    /// The webhook event announcing this status (spec F.2).
    pub fn event_type(self) -> &'static str {
        match self {
            InquiryStatus::ExpectingReplyFromUser => {
                "USER_INFORMATION_INQUIRY_EXPECTING_REPLY_FROM_USER"
            }
            InquiryStatus::ExpectingReplyFromBunq => {
                "USER_INFORMATION_INQUIRY_EXPECTING_REPLY_FROM_BUNQ"
            }
            InquiryStatus::Finalized => "USER_INFORMATION_INQUIRY_FINALIZED",
        }
    }
}

/// An inquiry waits for the user while any entry is unanswered, for bunq while any answer is
/// unreviewed, and is finalized when every entry is final (G.3).
pub fn status_of(entries: impl IntoIterator<Item = EntryStatus>) -> InquiryStatus {
    let mut reviewing = false;
    for status in entries {
        match status {
            EntryStatus::Pending => return InquiryStatus::ExpectingReplyFromUser,
            s if !s.is_final() => reviewing = true,
            _ => {}
        }
    }
    if reviewing {
        InquiryStatus::ExpectingReplyFromBunq
    } else {
        InquiryStatus::Finalized
    }
}

/// Purposes bunq documents (an open set there; a closed one here so typos are caught).
pub const PURPOSES: [&str; 5] = [
    "ONBOARDING",
    "COMPLIANCE_TRANSACTION_MONITORING",
    "COMPLIANCE_SCREENING",
    "DOCUMENT_EXPIRY_RENEWAL",
    "EMPLOYMENT_STATUS_VERIFY",
];

/// Entry types bunq documents (an open set there, spec G.2; a closed one here, so that a typo
/// is refused instead of asking the user a question nobody can answer).
pub const ENTRY_TYPES: [&str; 8] = [
    "USER_PERSON_INVOLVEMENT_IN_POLITICS",
    "USER_PERSON_SOURCE_OF_INCOME",
    "USER_PERSON_SOURCE_OF_FUND",
    "USER_PERSON_COUNTRY_OF_BIRTH",
    "USER_PERSON_ACCOUNT_PURPOSE",
    "IDENTIFICATION_DOCUMENT_VERIFY",
    "USER_COMPANY_RECORD_OF_SHAREHOLDERS",
    "USER_COMPANY_SOURCE_OF_FUND",
];

/// The `type` filter matches `external_model_name`.
pub const MODEL_NAMES: [&str; 2] = ["USER_PERSON", "USER_COMPANY"];

pub const ONBOARDING: &str = "ONBOARDING";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub kind: String,
    pub status: EntryStatus,
    pub description: String,
    /// JSON array of what the user submitted.
    pub data_submitted: String,
    /// JSON object: what triggered the entry.
    pub context: String,
    pub reject_reason: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub id: i64,
    pub user_id: i64,
    pub purpose: String,
    pub status: InquiryStatus,
    pub title: String,
    pub subtitle: String,
    pub external_model_name: String,
    pub time_expiry: Option<Timestamp>,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub entries: Vec<Entry>,
}

/// An inquiry to raise, or entries to append to the user's open one of the same purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInquiry {
    pub purpose: String,
    pub title: String,
    pub subtitle: String,
    pub time_expiry: Option<Timestamp>,
    /// (type, description)
    pub entries: Vec<(String, String)>,
}

impl NewInquiry {
    pub fn validate(
        purpose: &str,
        entries: Vec<String>,
        time_expiry: Option<Timestamp>,
    ) -> Result<NewInquiry, DomainError> {
        if !PURPOSES.contains(&purpose) {
            return Err(DomainError::invalid(format!(
                "purpose must be one of {}.",
                PURPOSES.join(", ")
            )));
        }
        if entries.is_empty() {
            return Err(DomainError::invalid("An inquiry needs at least one entry."));
        }
        let entries = entries
            .into_iter()
            .map(|kind| {
                if ENTRY_TYPES.contains(&kind.as_str()) {
                    Ok((kind.clone(), kind))
                } else {
                    Err(DomainError::invalid(format!(
                        "Entry type {} is not one of {}.",
                        quoted(&kind),
                        ENTRY_TYPES.join(", ")
                    )))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(NewInquiry {
            purpose: purpose.to_owned(),
            title: "We need some information from you".into(),
            subtitle: "Please answer the questions below so we can keep your account open.".into(),
            time_expiry,
            entries,
        })
    }
}

/// Filters of `GET …/user-information-inquiry` (G.1): comma-separated lists; bad values are
/// refused rather than matching nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InquiryFilter {
    pub statuses: Vec<InquiryStatus>,
    pub purposes: Vec<String>,
    pub model_names: Vec<String>,
}

impl InquiryFilter {
    pub fn parse(
        status: Option<&str>,
        purpose: Option<&str>,
        kind: Option<&str>,
    ) -> Result<InquiryFilter, DomainError> {
        fn list<T>(
            field: &str,
            text: Option<&str>,
            parse: impl Fn(&str) -> Option<T>,
            allowed: &str,
        ) -> Result<Vec<T>, DomainError> {
            text.map(|t| t.split(',').map(str::trim).filter(|v| !v.is_empty()))
                .into_iter()
                .flatten()
                .map(|v| {
                    parse(v).ok_or_else(|| {
                        DomainError::invalid(format!(
                            "{field} {} is not one of {allowed}.",
                            quoted(v)
                        ))
                    })
                })
                .collect()
        }
        let statuses = InquiryStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        Ok(InquiryFilter {
            statuses: list("status", status, InquiryStatus::parse, &statuses)?,
            purposes: list(
                "purpose",
                purpose,
                |p| PURPOSES.contains(&p).then(|| p.to_owned()),
                &PURPOSES.join(", "),
            )?,
            model_names: list(
                "type",
                kind,
                |p| MODEL_NAMES.contains(&p).then(|| p.to_owned()),
                &MODEL_NAMES.join(", "),
            )?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryStatus::*;

    #[test]
    fn the_inquiry_follows_its_entries() {
        assert_eq!(
            status_of([Pending, WaitingForReview]),
            InquiryStatus::ExpectingReplyFromUser
        );
        assert_eq!(
            status_of([WaitingForReview, Approved]),
            InquiryStatus::ExpectingReplyFromBunq
        );
        assert_eq!(
            status_of([Approved, Rejected, Cancelled]),
            InquiryStatus::Finalized
        );
        // A rejected entry reopened as a new pending one sends the inquiry back to the user.
        assert_eq!(
            status_of([Rejected, Pending]),
            InquiryStatus::ExpectingReplyFromUser
        );
    }

    #[test]
    fn filters_refuse_unknown_values() {
        let f = InquiryFilter::parse(
            Some("EXPECTING_REPLY_FROM_USER,FINALIZED"),
            Some("ONBOARDING"),
            None,
        )
        .unwrap_or_default();
        assert_eq!(f.statuses.len(), 2);
        assert_eq!(f.purposes, vec!["ONBOARDING".to_owned()]);
        assert!(InquiryFilter::parse(Some("OPEN"), None, None).is_err());
        assert!(InquiryFilter::parse(None, Some("FUN"), None).is_err());
        assert!(InquiryFilter::parse(None, None, Some("USER_ROBOT")).is_err());
    }

    #[test]
    fn new_inquiries_are_checked() {
        assert!(NewInquiry::validate(
            "ONBOARDING",
            vec!["USER_PERSON_SOURCE_OF_FUND".into()],
            None
        )
        .is_ok());
        assert!(NewInquiry::validate("ONBOARDING", vec![], None).is_err());
        assert!(NewInquiry::validate("HOLIDAY", vec!["X".into()], None).is_err());
        assert!(NewInquiry::validate("ONBOARDING", vec!["source of funds".into()], None).is_err());
        let unknown = NewInquiry::validate("ONBOARDING", vec!["NOT_A_TYPE".into()], None);
        assert!(unknown.is_err_and(|e| e.to_string().contains("NOT_A_TYPE")
            && e.to_string().contains("USER_PERSON_SOURCE_OF_FUND")));
    }
}
