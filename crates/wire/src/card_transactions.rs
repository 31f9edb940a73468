//! Card transactions (`MasterCardAction`) and 3DS challenges
//! (`MasterCardIdentityCheckChallengeRequest`) as bunq renders them, the user's answer to a
//! challenge, and the operator's authorisation body.

use provisio_core::{
    account::amount::format_minor,
    card::action::{AuthorizationInput, Challenge, ChallengeStatus, MasterCardAction},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{accounts::amount, accounts::Amount, time::ts};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActionAlias {
    pub iban: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Counterparty {
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelCard {
    #[serde(rename = "type")]
    pub kind: String,
    pub second_line: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MasterCardActionObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub monetary_account_id: i64,
    pub card_id: i64,
    pub amount_local: Amount,
    pub amount_billing: Amount,
    pub amount_original_local: Amount,
    pub amount_original_billing: Amount,
    pub decision: String,
    pub payment_status: String,
    pub decision_description: String,
    pub description: String,
    pub authorisation_status: String,
    pub authorisation_type: String,
    pub pan_entry_mode_user: String,
    pub settlement_status: String,
    pub clearing_status: String,
    pub city: String,
    pub alias: ActionAlias,
    pub counterparty_alias: Counterparty,
    pub label_card: LabelCard,
    pub merchant_id: String,
    pub merchant_category_code: String,
    pub merchant_country: String,
    #[schema(required = true)]
    pub wallet_provider_id: Option<String>,
    #[schema(required = true)]
    pub applied_limit: Option<String>,
    #[schema(required = true)]
    pub additional_authentication_status: Option<String>,
    /// The MASTERCARD Payment that moved the money (none for a declined action).
    #[schema(required = true)]
    pub payment_id: Option<i64>,
}

pub fn mastercard_action(a: &MasterCardAction) -> MasterCardActionObject {
    let money = amount(-a.amount_minor, &a.currency);
    let payment_status = if !a.approved() {
        "PAYMENT_FAILED"
    } else if a.reversal_payment_id.is_some() {
        "PAYMENT_REVERSED"
    } else {
        "PAYMENT_SUCCESSFUL"
    };
    MasterCardActionObject {
        id: a.id.0,
        created: ts(a.created),
        updated: ts(a.updated),
        monetary_account_id: a.monetary_account_id.0,
        card_id: a.card_id.0,
        amount_local: money.clone(),
        amount_billing: money.clone(),
        amount_original_local: money.clone(),
        amount_original_billing: money,
        decision: a.decision.clone(),
        payment_status: payment_status.into(),
        decision_description: a.decision_description.clone(),
        description: format!(
            "{} {} {}",
            a.merchant.name, a.merchant.city, a.merchant.country
        ),
        authorisation_status: a.authorisation_status.as_str().into(),
        authorisation_type: "PAYMENT".into(),
        pan_entry_mode_user: a.pan_entry_mode.clone(),
        settlement_status: a.settlement_status.as_str().into(),
        clearing_status: a.clearing_status.as_str().into(),
        city: a.merchant.city.clone(),
        alias: ActionAlias {
            iban: a.alias_iban.clone(),
            display_name: a.alias_name.clone(),
        },
        counterparty_alias: Counterparty {
            display_name: a.merchant.name.clone(),
        },
        label_card: LabelCard {
            kind: "MASTERCARD".into(),
            second_line: a.card_second_line.clone(),
        },
        merchant_id: a.merchant.id.clone(),
        merchant_category_code: a.merchant.category_code.clone(),
        merchant_country: a.merchant.country.clone(),
        wallet_provider_id: None,
        applied_limit: a.applied_limit.clone(),
        additional_authentication_status: a.additional_authentication_status.clone(),
        payment_id: a.payment_id.map(|p| p.0),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChallengeRequestObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub amount: String,
    pub currency: String,
    pub expiry_time: String,
    #[schema(required = true)]
    pub description: Option<String>,
    pub status: String,
    pub decision_description: String,
    pub decision_description_translated: String,
    pub url_merchant_app: String,
    pub counterparty_alias: Counterparty,
    #[schema(required = true)]
    pub event_id: Option<i64>,
    #[schema(required = true)]
    pub card_id: Option<i64>,
}

pub fn challenge(c: &Challenge) -> ChallengeRequestObject {
    let decision = match c.status {
        ChallengeStatus::Pending => "",
        ChallengeStatus::Accepted => "Accepted by the user.",
        ChallengeStatus::Rejected => "Rejected by the user.",
        ChallengeStatus::Expired => "Not answered in time.",
    };
    ChallengeRequestObject {
        id: c.id.0,
        created: ts(c.created),
        updated: ts(c.updated),
        amount: format_minor(c.amount_minor),
        currency: c.currency.clone(),
        expiry_time: ts(c.expiry_time),
        description: c.description.clone(),
        status: c.status.as_str().into(),
        decision_description: decision.into(),
        decision_description_translated: decision.into(),
        url_merchant_app: c.url_merchant_app.clone(),
        counterparty_alias: Counterparty {
            display_name: c.merchant.name.clone(),
        },
        event_id: c.mastercard_action_id.map(|a| a.0),
        card_id: Some(c.card_id.0),
    }
}

/// `PUT challenge-request/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChallengeAnswerRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// provisio's operator API: a merchant's authorization on a card.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuthorizeRequest {
    /// A decimal string with two decimals, e.g. `"12.50"`.
    #[schema(required = true)]
    pub amount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[schema(required = true)]
    pub merchant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_category_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pan_entry_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    #[serde(default)]
    pub identity_check: bool,
}

impl From<AuthorizeRequest> for AuthorizationInput {
    fn from(r: AuthorizeRequest) -> Self {
        AuthorizationInput {
            amount: r.amount,
            currency: r.currency,
            merchant: r.merchant,
            city: r.city,
            country: r.country,
            merchant_category_code: r.merchant_category_code,
            pan_entry_mode: r.pan_entry_mode,
            decline_reason: r.decline_reason,
            identity_check: r.identity_check,
        }
    }
}
