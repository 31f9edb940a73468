//! Onboarding (spec E.2, E.3, J-19): what a provisioned user must provide, and the rules for
//! each piece. Tax residency and nationality are due within 90 days and do not block
//! activation; the others do.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};

pub use crate::provision::enums::FulfillmentType;
use crate::{time::Timestamp, DomainError};

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

/// A user's onboarding (`UserOnboarding`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarding {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub status: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// The blocking fulfillments not yet provided.
pub fn missing(fulfilled: &[Fulfillment]) -> Vec<FulfillmentType> {
    ALL.iter()
        .copied()
        .filter(|t| t.blocking() && !fulfilled.iter().any(|f| f.kind == *t))
        .collect()
}

/// ISO 3166-1 alpha-2 codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn country(field: &str, code: &str) -> Result<String, DomainError> {
    if code.len() == 2 && COUNTRIES.split(' ').any(|c| c == code) {
        Ok(code.to_owned())
    } else {
        Err(DomainError::invalid(format!(
            "{field} \"{code}\" is not an ISO 3166-1 alpha-2 country code."
        )))
    }
}

/// A required, non-empty text field of at most `max` characters.
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
    Ok(value.to_owned())
}

/// A real date, in the past, of someone at least 18 years old on `today`.
pub fn date_of_birth(text: &str, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        DomainError::invalid(format!(
            "date_of_birth \"{text}\" is not a date (YYYY-MM-DD)."
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
}
