//! Cards as bunq renders them (`CardDebit`, `CardCredit`: one shape, two keys), their PAN and
//! CVC2 objects, and the bodies that order or change them (card transactions and 3DS
//! challenges: `card_transactions`, re-exported here).
//! Field order is bunq's (its swagger's `Card` object).

use provisio_core::{
    account::rules::MoneyInput,
    card::{
        rules::{CardInput, PinAssignmentInput},
        Card, CardKind, Cvc2,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount, AmountRequest},
    time::ts,
    Item,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardSetting {
    pub currency_routing_type: String,
    #[schema(required = true)]
    pub image_id: Option<i64>,
    #[schema(required = true)]
    pub service_id: Option<i64>,
    pub color: String,
    pub icon: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinCodeAssignment {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub monetary_account_id: i64,
    pub status: String,
    pub routing_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CountryPermission {
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrimaryAccountNumberLabel {
    pub id: i64,
    pub uuid: String,
    pub description: String,
    pub four_digit: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
}

/// `CardDebit` / `CardCredit`. The PIN is never rendered; the PAN only by its last four digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub public_uuid: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sub_type: String,
    pub product_type: String,
    pub product_sub_type: String,
    #[schema(required = true)]
    pub first_line: Option<String>,
    pub second_line: String,
    pub status: String,
    pub sub_status: String,
    /// Why a CANCELLED card was cancelled (provisio shows what the `PUT` set).
    #[schema(required = true)]
    pub cancellation_reason: Option<String>,
    pub order_status: String,
    #[schema(required = true)]
    pub expected_delivery_date: Option<String>,
    pub expiry_date: String,
    pub name_on_card: String,
    #[schema(required = true)]
    pub preferred_name_on_card: Option<String>,
    pub user_id: i64,
    pub user_owner_id: i64,
    pub user_holder_id: i64,
    pub card_limit: Amount,
    pub card_limit_atm: Amount,
    pub setting: CardSetting,
    pub pin_code_assignment: Vec<PinCodeAssignment>,
    pub country: String,
    pub country_permission: Vec<CountryPermission>,
    pub primary_account_numbers: Vec<PrimaryAccountNumberLabel>,
    pub payment_account_reference: String,
    #[schema(required = true)]
    pub monetary_account_id_fallback: Option<i64>,
    #[schema(required = true)]
    pub monetary_account: Option<serde_json::Value>,
    pub is_card_eligible_for_free_replacement: bool,
    pub is_limited_edition: bool,
    pub is_card_frozen_payment_tokenized_allowed: bool,
    /// Never filled in here: a CVC2 is read through its own route only.
    #[schema(required = true)]
    pub card_generated_cvc2: Option<serde_json::Value>,
}

/// `GET /user/{user_id}/card-name` (bunq's `CardUserNameArray`): the names a card may carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardUserNameArray {
    pub possible_card_name_array: Vec<String>,
}

/// The card as its own type: `CardDebit` or `CardCredit`.
pub fn card_item(c: &Card) -> Item {
    let object = CardObject {
        id: c.id.0,
        created: ts(c.created),
        updated: ts(c.updated),
        public_uuid: c.public_uuid.clone(),
        kind: provisio_core::card::rules::card_type_of(&c.product_type).into(),
        sub_type: "NONE".into(),
        product_type: c.product_type.clone(),
        product_sub_type: c.product_sub_type.clone(),
        first_line: c.first_line.clone(),
        second_line: c.second_line.clone(),
        status: c.status.as_str().into(),
        sub_status: "NONE".into(),
        cancellation_reason: c.cancellation_reason.map(|r| r.as_str().into()),
        order_status: c.order_status.as_str().into(),
        expected_delivery_date: c.expected_delivery_date.clone(),
        expiry_date: c.expiry_date.clone(),
        name_on_card: c.name_on_card.clone(),
        preferred_name_on_card: c.preferred_name_on_card.clone(),
        user_id: c.user_id.0,
        user_owner_id: c.user_id.0,
        user_holder_id: c.user_id.0,
        card_limit: amount(c.card_limit_minor, &c.currency),
        card_limit_atm: amount(c.card_limit_atm_minor, &c.currency),
        setting: CardSetting {
            currency_routing_type: "MATCH_CURRENCY_AND_BALANCE".into(),
            image_id: None,
            service_id: None,
            color: "NONE".into(),
            icon: "NONE".into(),
        },
        pin_code_assignment: vec![PinCodeAssignment {
            id: c.id.0,
            kind: "PRIMARY".into(),
            monetary_account_id: c.monetary_account_id.0,
            status: "ACTIVE".into(),
            routing_type: "MANUAL".into(),
        }],
        country: c.country.clone(),
        country_permission: vec![CountryPermission {
            country: c.country.clone(),
        }],
        primary_account_numbers: vec![PrimaryAccountNumberLabel {
            id: c.id.0,
            uuid: c.public_uuid.clone(),
            description: c.second_line.clone(),
            four_digit: c.pan_last_four.clone(),
            kind: match c.order_status {
                provisio_core::card::OrderStatus::VirtualDelivery => "VIRTUAL".into(),
                _ => "PHYSICAL".into(),
            },
            status: "ACTIVE".into(),
        }],
        payment_account_reference: format!("5001{}", c.public_uuid.replace('-', "").to_uppercase())
            .chars()
            .take(29)
            .collect(),
        monetary_account_id_fallback: c.monetary_account_id_fallback.map(|a| a.0),
        monetary_account: None,
        is_card_eligible_for_free_replacement: false,
        is_limited_edition: false,
        is_card_frozen_payment_tokenized_allowed: false,
        card_generated_cvc2: None,
    };
    match c.kind {
        CardKind::Debit => Item::CardDebit(object),
        CardKind::Credit => Item::CardCredit(object),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardPrimaryAccountNumber {
    pub primary_account_number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardGeneratedCvc2 {
    pub id: i64,
    pub created: String,
    pub updated: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub cvc2: String,
    pub status: String,
    #[schema(required = true)]
    pub expiry_time: Option<String>,
}

pub fn cvc2(c: &Cvc2) -> CardGeneratedCvc2 {
    CardGeneratedCvc2 {
        id: c.id.0,
        created: ts(c.created),
        updated: ts(c.updated),
        kind: c.kind.as_str().into(),
        cvc2: c.cvc2.clone(),
        status: c.status.as_str().into(),
        expiry_time: c.expiry_time.map(ts),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PinAssignmentRequest {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetary_account_id: Option<i64>,
}

/// `POST card-debit|card-credit` and `PUT card/{id}`: every field optional here; the domain
/// says which are required where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CardRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_on_card: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred_name_on_card: Option<String>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_sub_type: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pin_code_assignment: Vec<PinAssignmentRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetary_account_id_fallback: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_limit: Option<AmountRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_limit_atm: Option<AmountRequest>,
}

fn money(a: AmountRequest) -> MoneyInput {
    MoneyInput {
        value: a.value,
        currency: a.currency,
    }
}

impl From<CardRequest> for CardInput {
    fn from(r: CardRequest) -> Self {
        CardInput {
            first_line: r.first_line,
            second_line: r.second_line,
            name_on_card: r.name_on_card,
            preferred_name_on_card: r.preferred_name_on_card,
            kind: r.kind,
            product_type: r.product_type,
            product_sub_type: r.product_sub_type,
            pin_code_assignment: r
                .pin_code_assignment
                .into_iter()
                .map(|p| PinAssignmentInput {
                    kind: p.kind,
                    pin_code: p.pin_code,
                    monetary_account_id: p.monetary_account_id,
                })
                .collect(),
            monetary_account_id_fallback: r.monetary_account_id_fallback,
            country: r.country,
            order_status: r.order_status,
            pin_code: r.pin_code,
            status: r.status,
            cancellation_reason: r.cancellation_reason,
            card_limit: r.card_limit.map(money),
            card_limit_atm: r.card_limit_atm.map(money),
        }
    }
}

/// `POST/PUT …/generated-cvc2[/{id}]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cvc2Request {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

pub use crate::card_transactions::*;
