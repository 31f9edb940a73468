//! Monetary accounts as bunq renders them (`MonetaryAccountBank`, `MonetaryAccountExternal`),
//! and the body that opens or changes one. Field order is bunq's.

use provisio_core::account::{
    amount::format_minor,
    rules::{AccountInput, MoneyInput},
    AccountKind, MonetaryAccount,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{objects::Avatar, render::avatar, time::ts, Item};

/// `{value, currency}`: an amount as a decimal string with two decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Amount {
    pub value: String,
    pub currency: String,
}

/// An account's address: its IBAN, with the holder's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Alias {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountSetting {
    pub color: String,
    pub default_avatar_status: String,
    pub restriction_chat: String,
}

/// bunq's `MonetaryAccountBank`, with every field its swagger documents
/// (`MonetaryAccountBankDetails`). What provisio has no model for is rendered as bunq renders
/// an account without it: no overdraft (`0.00`), no per-transaction limit, budget, credit line,
/// share or relation user (`null`), no connected cards, accesses, auto-saves or fulfillments
/// (`[]`), and no conversion (`balance_converted` `null`: every balance is in the account's own
/// currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonetaryAccountBank {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub alias: Vec<Alias>,
    pub avatar: Avatar,
    pub balance: Amount,
    #[schema(required = true)]
    pub balance_converted: Option<Amount>,
    pub country: String,
    pub currency: String,
    pub daily_limit: Amount,
    #[schema(required = true)]
    pub transaction_limit: Option<Amount>,
    pub overdraft_limit: Amount,
    pub description: String,
    pub public_uuid: String,
    pub display_name: String,
    pub status: String,
    pub sub_status: String,
    pub timezone: String,
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(required = true)]
    pub reason_description: Option<String>,
    pub user_id: i64,
    #[schema(required = true)]
    pub monetary_account_profile: Option<serde_json::Value>,
    pub setting: AccountSetting,
    pub connected_cards: Vec<serde_json::Value>,
    #[schema(required = true)]
    pub budget: Option<serde_json::Value>,
    #[schema(required = true)]
    pub credit_line: Option<serde_json::Value>,
    pub all_access: Vec<serde_json::Value>,
    #[schema(required = true)]
    pub share: Option<serde_json::Value>,
    pub all_auto_save_id: Vec<serde_json::Value>,
    pub fulfillments: Vec<serde_json::Value>,
    #[schema(required = true)]
    pub relation_user: Option<serde_json::Value>,
}

/// As [`MonetaryAccountBank`], with the `service` holding the money (rendered after the
/// bank account's fields, as bunq does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonetaryAccountExternal {
    #[serde(flatten)]
    pub account: MonetaryAccountBank,
    pub service: String,
}

/// An amount object as sent; both fields are checked by the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AmountRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// `POST` and `PUT` of `monetary-account-bank` / `monetary-account-external`. Every field is
/// optional here; the domain says which are required where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonetaryAccountRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_limit: Option<AmountRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_description: Option<String>,
    /// An avatar's uuid (`POST /avatar`): the account shows that avatar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_uuid: Option<String>,
}

impl From<MonetaryAccountRequest> for AccountInput {
    fn from(r: MonetaryAccountRequest) -> Self {
        AccountInput {
            currency: r.currency,
            description: r.description,
            daily_limit: r.daily_limit.map(|l| MoneyInput {
                value: l.value,
                currency: l.currency,
            }),
            display_name: r.display_name,
            service: r.service,
            status: r.status,
            sub_status: r.sub_status,
            reason: r.reason,
            reason_description: r.reason_description,
            avatar_uuid: r.avatar_uuid,
        }
    }
}

pub fn amount(minor: i64, currency: &str) -> Amount {
    Amount {
        value: format_minor(minor),
        currency: currency.to_owned(),
    }
}

/// The account as its own type: `MonetaryAccountBank` or `MonetaryAccountExternal`, with its
/// default avatar (one set with `avatar_uuid` is shown with `Item::show_avatar`).
pub fn account_item(a: &MonetaryAccount) -> Item {
    let bank = MonetaryAccountBank {
        id: a.id.0,
        created: ts(a.created),
        updated: ts(a.updated),
        alias: vec![Alias {
            kind: "IBAN".into(),
            value: a.iban.clone(),
            name: a.display_name.clone(),
        }],
        avatar: avatar(&a.public_uuid),
        balance: amount(a.balance_minor, &a.currency),
        balance_converted: None,
        country: "NL".into(),
        currency: a.currency.clone(),
        daily_limit: amount(a.daily_limit_minor, &a.currency),
        transaction_limit: None,
        overdraft_limit: amount(0, &a.currency),
        description: a.description.clone(),
        public_uuid: a.public_uuid.clone(),
        display_name: a.display_name.clone(),
        status: a.status.as_str().into(),
        sub_status: a.sub_status.as_str().into(),
        timezone: "Europe/Amsterdam".into(),
        reason: a.reason.clone(),
        reason_description: a.reason_description.clone(),
        user_id: a.user_id.0,
        monetary_account_profile: None,
        setting: AccountSetting {
            color: "#FE2851".into(),
            default_avatar_status: "AVATAR_DEFAULT".into(),
            restriction_chat: "ALLOW_INCOMING".into(),
        },
        connected_cards: Vec::new(),
        budget: None,
        credit_line: None,
        all_access: Vec::new(),
        share: None,
        all_auto_save_id: Vec::new(),
        fulfillments: Vec::new(),
        relation_user: None,
    };
    match a.kind {
        AccountKind::Bank => Item::MonetaryAccountBank(bank),
        AccountKind::External => Item::MonetaryAccountExternal(MonetaryAccountExternal {
            account: bank,
            service: a.service.clone().unwrap_or_default(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use provisio_core::{
        account::{AccountStatus, AccountSubStatus},
        model::{MonetaryAccountId, UserId},
        time::Timestamp,
    };

    use super::*;

    #[test]
    fn fields_come_in_bunqs_order_with_amounts_as_strings() {
        let account = MonetaryAccount {
            id: MonetaryAccountId(7),
            user_id: UserId(3),
            kind: AccountKind::External,
            public_uuid: "u".into(),
            currency: "GBP".into(),
            description: "Pounds".into(),
            display_name: "Eva".into(),
            daily_limit_minor: 100_000,
            balance_minor: 1_234,
            iban: "NL91ABNA0417164300".into(),
            status: AccountStatus::Active,
            sub_status: AccountSubStatus::None,
            reason: None,
            reason_description: None,
            service: Some("CURRENCY_CLOUD".into()),
            avatar_uuid: None,
            created: Timestamp(0),
            updated: Timestamp(0),
        };
        let json = serde_json::to_value(account_item(&account)).unwrap_or_default();
        let object = &json["MonetaryAccountExternal"];
        assert_eq!(
            object["balance"],
            serde_json::json!({"value": "12.34", "currency": "GBP"})
        );
        assert_eq!(object["alias"][0]["type"], "IBAN");
        assert_eq!(object["service"], "CURRENCY_CLOUD");
        // Serialised in declaration order, which is bunq's.
        let text = serde_json::to_string(&account_item(&account)).unwrap_or_default();
        let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap_or(usize::MAX);
        let order = [
            "id",
            "created",
            "alias",
            "balance",
            "daily_limit",
            "status",
            "user_id",
            "setting",
            "service",
        ];
        assert!(order.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    }
}
