//! Onboarding (spec E.2, E.3, J-19): what a provisioned user must provide, and the rules for
//! each piece. Tax residency and nationality are due within 90 days and do not block
//! activation; the others do.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};

pub use crate::provision::enums::FulfillmentType;
use crate::{
    provision::enums::{wire_enum, ActionRequired},
    text::quoted,
    time::Timestamp,
    DomainError,
};

impl FulfillmentType {
    /// Whether activation waits for it.
    pub fn blocking(self) -> bool {
        !matches!(
            self,
            FulfillmentType::TaxResident
                | FulfillmentType::Nationality
                | FulfillmentType::AddressPostal
        )
    }

    /// A deadline after onboarding starts, for the ones that do not block.
    pub fn due_within(self) -> Option<Duration> {
        match self {
            FulfillmentType::TaxResident | FulfillmentType::Nationality => {
                Some(Duration::from_secs(90 * 24 * 3600))
            }
            _ => None,
        }
    }

    /// Why bunq asks for it, as shown to the user.
    pub fn reason(self) -> &'static str {
        match self {
            FulfillmentType::AddressMain => "We need to know where you live.",
            FulfillmentType::AddressPostal => "Where should we send your post?",
            FulfillmentType::DateOfBirth | FulfillmentType::LegalName => {
                "Let's make this account truly yours."
            }
            FulfillmentType::TaxResident => "Tell us where you pay taxes within 90 days.",
            FulfillmentType::Nationality => "Tell us your nationality within 90 days.",
            FulfillmentType::IdentityVerification => {
                "Verify your identity with a photo of your ID."
            }
        }
    }
}

/// The fulfillments every onboarding lists, in bunq's order.
pub const ALL: [FulfillmentType; 7] = [
    FulfillmentType::AddressMain,
    FulfillmentType::AddressPostal,
    FulfillmentType::DateOfBirth,
    FulfillmentType::LegalName,
    FulfillmentType::TaxResident,
    FulfillmentType::Nationality,
    FulfillmentType::IdentityVerification,
];

/// One fulfillment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfillment {
    pub kind: FulfillmentType,
    pub id: i64,
    pub created: Timestamp,
    pub updated: Timestamp,
}

wire_enum! {
    /// `UserOnboarding.status` (J-19).
    OnboardingStatus {
        Created = "CREATED",
        InProgress = "IN_PROGRESS",
        Verified = "VERIFIED",
        Denied = "DENIED",
        Blocked = "BLOCKED",
        Frozen = "FROZEN",
    }
}

impl OnboardingStatus {
    /// Decided: only an operator changes it from here.
    pub fn is_decided(self) -> bool {
        !matches!(
            self,
            OnboardingStatus::Created | OnboardingStatus::InProgress
        )
    }
}

/// A user's onboarding (`UserOnboarding`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarding {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub status: OnboardingStatus,
    pub action_required: ActionRequired,
    pub waiting_type: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Where the user's identity verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityState {
    NotStarted,
    Created,
    /// Submitted; bunq is reviewing it.
    Submitted,
    Approved,
    Rejected,
}

/// Where the user's onboarding inquiries stand, all of them together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InquiryFacts {
    pub expecting_user: bool,
    pub expecting_bunq: bool,
    /// A finalized onboarding inquiry with a rejected entry.
    pub rejected: bool,
}

/// What an onboarding should show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessment {
    pub status: OnboardingStatus,
    pub action_required: ActionRequired,
    pub waiting_type: Option<&'static str>,
}

impl Assessment {
    pub fn decided(approved: bool) -> Assessment {
        Assessment {
            status: if approved {
                OnboardingStatus::Verified
            } else {
                OnboardingStatus::Denied
            },
            action_required: ActionRequired::None,
            waiting_type: None,
        }
    }
}

/// The onboarding rules (spec E.7, J-6): verified when every blocking fulfillment is in, the
/// identity verification is approved and no onboarding inquiry is open; denied when the
/// verification or an onboarding inquiry is rejected. Until then the user acts (`USER`) or
/// bunq reviews (`SYSTEM`, automated for the verification, manual for inquiries). A decided
/// onboarding stays as it is; `None` means no change.
pub fn assess(
    current: OnboardingStatus,
    fulfilled: &[Fulfillment],
    identity: IdentityState,
    inquiries: InquiryFacts,
) -> Option<Assessment> {
    if current.is_decided() {
        return None;
    }
    if identity == IdentityState::Rejected || inquiries.rejected {
        return Some(Assessment::decided(false));
    }
    let started = !fulfilled.is_empty() || identity != IdentityState::NotStarted;
    let progress = if started {
        OnboardingStatus::InProgress
    } else {
        OnboardingStatus::Created
    };
    let waiting = |action, waiting_type| Assessment {
        status: progress,
        action_required: action,
        waiting_type,
    };
    let user_part_missing = missing(fulfilled)
        .iter()
        .any(|kind| *kind != FulfillmentType::IdentityVerification);
    let assessment = if user_part_missing
        || matches!(identity, IdentityState::NotStarted | IdentityState::Created)
        || inquiries.expecting_user
    {
        waiting(ActionRequired::User, None)
    } else if identity == IdentityState::Submitted {
        waiting(ActionRequired::System, Some("AUTOMATED"))
    } else if inquiries.expecting_bunq {
        waiting(ActionRequired::System, Some("MANUAL"))
    } else {
        Assessment::decided(true)
    };
    Some(assessment)
}

/// The blocking fulfillments not yet provided.
pub fn missing(fulfilled: &[Fulfillment]) -> Vec<FulfillmentType> {
    ALL.iter()
        .copied()
        .filter(|t| t.blocking() && !fulfilled.iter().any(|f| f.kind == *t))
        .collect()
}

pub use crate::text::required;

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn country(field: &str, code: &str) -> Result<String, DomainError> {
    if code.trim().is_empty() {
        return Err(DomainError::invalid(format!("{field} is required.")));
    }
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code.to_owned())
    } else {
        Err(DomainError::invalid(format!(
            "{field} {} is not an ISO 3166-1 alpha-2 country code.",
            quoted(code)
        )))
    }
}

/// A real date, in the past, of someone at least 18 years old on `today`.
pub fn date_of_birth(text: &str, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    if text.trim().is_empty() {
        return Err(DomainError::invalid("date_of_birth is required."));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(format!(
            "date_of_birth {} is not a date (YYYY-MM-DD).",
            quoted(text)
        ))
    })?;
    let adult_on = date
        .with_year(date.year() + 18)
        // 29 February: adulthood comes on 1 March in a year without one.
        .or_else(|| NaiveDate::from_ymd_opt(date.year() + 18, 3, 1));
    if date.year() < 1900 || adult_on.is_none_or(|d| d > today) {
        return Err(DomainError::invalid(
            "date_of_birth must be of someone at least 18 years old.",
        ));
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn adults_only_and_real_dates() {
        let today = day("2026-11-21");
        assert!(date_of_birth("2008-11-21", today).is_ok());
        assert!(date_of_birth("2008-11-22", today).is_err());
        assert!(date_of_birth("1990-02-30", today).is_err());
        assert!(date_of_birth("2030-01-01", today).is_err());
        assert!(date_of_birth("2004-02-29", today).is_ok());
    }

    #[test]
    fn countries_are_iso() {
        assert!(country("country", "NL").is_ok());
        assert!(country("country", "nl").is_err());
        assert!(country("country", "XX").is_err());
        assert!(country("country", "NLD").is_err());
    }

    #[test]
    fn what_blocks() {
        let done = |kind| Fulfillment {
            kind,
            id: 1,
            created: Timestamp(0),
            updated: Timestamp(0),
        };
        assert_eq!(
            missing(&[]),
            vec![
                FulfillmentType::AddressMain,
                FulfillmentType::DateOfBirth,
                FulfillmentType::LegalName,
                FulfillmentType::IdentityVerification,
            ]
        );
        let all_but_idv = [
            done(FulfillmentType::AddressMain),
            done(FulfillmentType::DateOfBirth),
            done(FulfillmentType::LegalName),
        ];
        assert_eq!(
            missing(&all_but_idv),
            vec![FulfillmentType::IdentityVerification]
        );
        assert!(
            FulfillmentType::TaxResident.due_within().is_some()
                && !FulfillmentType::TaxResident.blocking()
        );
    }

    #[test]
    fn the_onboarding_rules() {
        let done = |kind| Fulfillment {
            kind,
            id: 1,
            created: Timestamp(0),
            updated: Timestamp(0),
        };
        let user_part = [
            done(FulfillmentType::AddressMain),
            done(FulfillmentType::DateOfBirth),
            done(FulfillmentType::LegalName),
        ];
        let mut all = user_part.to_vec();
        all.push(done(FulfillmentType::IdentityVerification));
        let none = InquiryFacts::default();
        let at = |f: &[Fulfillment], idv, inq| {
            assess(OnboardingStatus::InProgress, f, idv, inq)
                .map(|a| (a.status, a.action_required, a.waiting_type))
        };
        use ActionRequired as A;
        use IdentityState as I;
        use OnboardingStatus as S;
        assert_eq!(
            assess(S::Created, &[], I::NotStarted, none).map(|a| a.status),
            Some(S::Created)
        );
        assert_eq!(
            at(&user_part, I::Created, none),
            Some((S::InProgress, A::User, None))
        );
        assert_eq!(
            at(&user_part, I::Submitted, none),
            Some((S::InProgress, A::System, Some("AUTOMATED")))
        );
        // Approved verification with the address still missing: the user must act.
        assert_eq!(
            at(&all[1..], I::Approved, none),
            Some((S::InProgress, A::User, None))
        );
        assert_eq!(
            at(&all, I::Approved, none),
            Some((S::Verified, A::None, None))
        );
        assert_eq!(
            at(&user_part, I::Rejected, none),
            Some((S::Denied, A::None, None))
        );
        let reviewing = InquiryFacts {
            expecting_bunq: true,
            ..none
        };
        assert_eq!(
            at(&all, I::Approved, reviewing),
            Some((S::InProgress, A::System, Some("MANUAL")))
        );
        let rejected = InquiryFacts {
            rejected: true,
            ..none
        };
        assert_eq!(
            at(&all, I::Approved, rejected).map(|a| a.0),
            Some(S::Denied)
        );
        assert_eq!(assess(S::Verified, &[], I::Rejected, none), None);
    }
}
