//! Card transactions (bunq `MasterCardAction`) as provisio simulates them: a merchant's
//! authorisation (an operator's call), then its reversal or settlement; and 3DS challenges
//! (`MasterCardIdentityCheckChallengeRequest`) for authorisations that need the user's
//! approval.
//!
//! Money: an approved authorisation debits the card's account at once (a MASTERCARD Payment),
//! a reversal credits it back (another), a settlement moves no money. A declined one is
//! recorded with its reason and moves nothing.

use std::time::Duration;

use crate::{
    account::amount::{parse_currency, parse_minor},
    model::{CardId, ChallengeId, MasterCardActionId, MonetaryAccountId, PaymentId, UserId},
    provision::enums::wire_enum,
    text,
    time::Timestamp,
    DomainError,
};

wire_enum! {
    /// `MasterCardAction.authorisation_status`.
    AuthorisationStatus {
        Authorised = "AUTHORISED",
        Declined = "DECLINED",
        Reversed = "REVERSED",
    }
}

wire_enum! {
    /// `MasterCardAction.settlement_status`.
    SettlementStatus {
        PendingSettlement = "PENDING_SETTLEMENT",
        Settled = "SETTLED",
        NotApplicable = "NOT_APPLICABLE",
    }
}

wire_enum! {
    /// `MasterCardAction.clearing_status`.
    ClearingStatus {
        Pending = "PENDING",
        FirstPresentmentComplete = "FIRST_PRESENTMENT_COMPLETE",
        NotApplicable = "NOT_APPLICABLE",
    }
}

/// `decision` of an approved action.
pub const ALLOWED: &str = "ALLOWED";

/// The reasons an authorisation is declined (`decision`), the ones provisio decides itself
/// first, then the ones an operator may force with `decline_reason`.
pub const DECLINE_REASONS: &[&str] = &[
    "CARD_NOT_ACTIVE",
    "ACCOUNT_NOT_ACTIVE",
    "INSUFFICIENT_BALANCE",
    "CARD_LIMIT_EXCEEDED",
    "IDENTITY_CHECK_REJECTED",
    "IDENTITY_CHECK_EXPIRED",
    "WRONG_PIN",
    "MERCHANT_BLOCKED",
    "COUNTRY_NOT_PERMITTED",
    "SUSPECTED_FRAUD",
];

/// A card transaction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterCardAction {
    pub id: MasterCardActionId,
    pub card_id: CardId,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    /// Positive: what the merchant asked for.
    pub amount_minor: i64,
    pub currency: String,
    pub merchant: Merchant,
    pub pan_entry_mode: String,
    pub decision: String,
    pub decision_description: String,
    pub authorisation_status: AuthorisationStatus,
    pub settlement_status: SettlementStatus,
    pub clearing_status: ClearingStatus,
    pub applied_limit: Option<String>,
    pub additional_authentication_status: Option<String>,
    pub payment_id: Option<PaymentId>,
    pub reversal_payment_id: Option<PaymentId>,
    /// The card's second line, for `label_card`.
    pub card_second_line: String,
    pub alias_iban: String,
    pub alias_name: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

impl MasterCardAction {
    pub fn approved(&self) -> bool {
        self.authorisation_status != AuthorisationStatus::Declined
    }
}

/// Where a card was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    pub name: String,
    pub city: String,
    pub country: String,
    pub id: String,
    pub category_code: String,
}

/// A validated authorisation request (the operator's simulated merchant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub amount_minor: i64,
    /// The card's account's currency unless given.
    pub currency: Option<String>,
    pub merchant: Merchant,
    pub pan_entry_mode: String,
    /// A decline the operator forces (one of [`DECLINE_REASONS`]).
    pub decline_reason: Option<String>,
    /// Ask the user first (3DS): a challenge is created and the authorisation waits for it.
    pub identity_check: bool,
}

/// An authorisation as the operator sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationInput {
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub merchant: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub merchant_category_code: Option<String>,
    pub pan_entry_mode: Option<String>,
    pub decline_reason: Option<String>,
    pub identity_check: bool,
}

const PAN_ENTRY_MODES: &[&str] = &["ATM", "ICC", "MAGNETIC_STRIPE", "E_COMMERCE", "CONTACTLESS"];

/// Validates an operator's authorisation.
pub fn authorization(input: &AuthorizationInput) -> Result<Authorization, DomainError> {
    let amount = input
        .amount
        .as_deref()
        .ok_or_else(|| DomainError::invalid("amount is required, such as \"12.50\"."))?;
    let amount_minor = parse_minor("amount", amount)?;
    if amount_minor == 0 {
        return Err(DomainError::invalid("amount must be more than 0.00."));
    }
    let name = text::required("merchant", input.merchant.as_deref(), 64)?;
    let country = match input.country.as_deref() {
        None => "NL".to_owned(),
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => c.to_owned(),
        Some(c) => {
            return Err(DomainError::invalid(format!(
                "country must be an ISO 3166-1 alpha-2 code such as \"NL\"; got {}.",
                text::quoted(c)
            )))
        }
    };
    let category_code = match input.merchant_category_code.as_deref() {
        None => "5999".to_owned(),
        Some(c) if c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit()) => c.to_owned(),
        Some(c) => {
            return Err(DomainError::invalid(format!(
                "merchant_category_code must be four digits; got {}.",
                text::quoted(c)
            )))
        }
    };
    let pan_entry_mode = match input.pan_entry_mode.as_deref() {
        None => "E_COMMERCE".to_owned(),
        Some(m) if PAN_ENTRY_MODES.contains(&m) => m.to_owned(),
        Some(m) => {
            return Err(DomainError::invalid(format!(
                "pan_entry_mode must be one of {}; got {}.",
                PAN_ENTRY_MODES.join(", "),
                text::quoted(m)
            )))
        }
    };
    let decline_reason = match input.decline_reason.as_deref() {
        None => None,
        Some(r) if DECLINE_REASONS.contains(&r) => Some(r.to_owned()),
        Some(r) => {
            return Err(DomainError::invalid(format!(
                "decline_reason must be one of {}; got {}.",
                DECLINE_REASONS.join(", "),
                text::quoted(r)
            )))
        }
    };
    Ok(Authorization {
        amount_minor,
        currency: input
            .currency
            .as_deref()
            .map(|c| parse_currency("currency", c))
            .transpose()?,
        merchant: Merchant {
            id: merchant_id(&name),
            name,
            city: match input.city.as_deref() {
                Some(c) => text::required("city", Some(c), 64)?,
                None => "Amsterdam".into(),
            },
            country,
            category_code,
        },
        pan_entry_mode,
        decline_reason,
        identity_check: input.identity_check,
    })
}

/// A stable 15-digit merchant id derived from the name, as acquirers give one.
fn merchant_id(name: &str) -> String {
    let hash = name.bytes().fold(1_469_598_103_934_665_603u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(1_099_511_628_211)
    });
    format!("{:015}", hash % 1_000_000_000_000_000)
}

/// The human sentence for a decline reason.
pub fn decline_description(reason: &str) -> String {
    match reason {
        "CARD_NOT_ACTIVE" => "The card is not active.".into(),
        "ACCOUNT_NOT_ACTIVE" => "The card's monetary account is not active.".into(),
        "INSUFFICIENT_BALANCE" => "The balance of the card's account is insufficient.".into(),
        "CARD_LIMIT_EXCEEDED" => "The transaction would exceed the card's daily limit.".into(),
        "IDENTITY_CHECK_REJECTED" => "The user rejected the identity check.".into(),
        "IDENTITY_CHECK_EXPIRED" => "The user did not answer the identity check in time.".into(),
        other => format!("Declined by the sandbox: {other}."),
    }
}

wire_enum! {
    /// `MasterCardIdentityCheckChallengeRequest.status`.
    ChallengeStatus {
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Rejected = "REJECTED",
        Expired = "EXPIRED",
    }
}

/// How long a user has to answer a challenge, on the virtual clock.
pub const CHALLENGE_VALIDITY: Duration = Duration::from_secs(5 * 60);
/// Where the merchant's app wants the user back (provisio's merchants are simulated).
pub const MERCHANT_APP_URL: &str = "https://merchant.provisio.invalid/3ds/return";

/// A 3DS challenge as stored, with the authorisation waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: ChallengeId,
    pub user_id: UserId,
    pub card_id: CardId,
    pub amount_minor: i64,
    pub currency: String,
    pub merchant: Merchant,
    pub description: Option<String>,
    pub url_merchant_app: String,
    pub status: ChallengeStatus,
    pub expiry_time: Timestamp,
    pub mastercard_action_id: Option<MasterCardActionId>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// The user's answer (`PUT challenge-request/{id}`).
pub fn challenge_answer(status: Option<&str>) -> Result<ChallengeStatus, DomainError> {
    match status {
        Some("ACCEPTED_PENDING_RESPONSE") => Ok(ChallengeStatus::Accepted),
        Some("REJECTED_PENDING_RESPONSE") => Ok(ChallengeStatus::Rejected),
        Some(other) => Err(DomainError::invalid(format!(
            "status must be ACCEPTED_PENDING_RESPONSE or REJECTED_PENDING_RESPONSE; got {}.",
            text::quoted(other)
        ))),
        None => Err(DomainError::invalid(
            "status is required (ACCEPTED_PENDING_RESPONSE or REJECTED_PENDING_RESPONSE).",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorisations_are_validated() {
        let ok = AuthorizationInput {
            amount: Some("12.50".into()),
            merchant: Some("Coffee BV".into()),
            ..AuthorizationInput::default()
        };
        let a = authorization(&ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.amount_minor, 1250);
        assert_eq!(a.merchant.id.len(), 15);
        assert_eq!(a.merchant.country, "NL");
        let mut bad = ok.clone();
        bad.decline_reason = Some("NOPE".into());
        assert!(authorization(&bad).is_err());
        let mut zero = ok;
        zero.amount = Some("0.00".into());
        assert!(authorization(&zero).is_err());
    }
}
