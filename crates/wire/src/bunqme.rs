//! `BunqMeTab` as bunq renders it, the bodies that make and cancel one, and the operator's body
//! that pays one as a stranger would (from an IBAN elsewhere or an account held here).

use provisio_core::account::{bunqme::BunqMeTab, rules::MoneyInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount, AmountRequest},
    payments::{label, payment, LabelMonetaryAccount, PaymentObject},
    time::ts,
};

/// Where a tab is paid; provisio serves no such page (the operator pays a tab instead).
pub const SHARE_URL_BASE: &str = "https://bunq.me/t/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabEntryObject {
    pub uuid: String,
    pub amount_inquired: Amount,
    pub alias: LabelMonetaryAccount,
    pub description: String,
    pub status: String,
    #[schema(required = true)]
    pub redirect_url: Option<String>,
    pub merchant_available: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabResultInquiry {
    pub payment: PaymentObject,
    pub bunq_me_tab_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    /// provisio's tabs do not expire: always `null`.
    #[schema(required = true)]
    pub time_expiry: Option<String>,
    pub monetary_account_id: i64,
    pub status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub alias_monetary_account: LabelMonetaryAccount,
    pub bunqme_tab_share_url: String,
    pub bunqme_tab_entry: BunqMeTabEntryObject,
    pub result_inquiries: Vec<BunqMeTabResultInquiry>,
}

/// `bunqme_tab_entry` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabEntryRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_inquired: Option<AmountRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Accepted and ignored: provisio serves no bunq.me page to come back from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
}

/// `POST …/bunqme-tab` (`bunqme_tab_entry`) and `PUT …/bunqme-tab/{id}` (`status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bunqme_tab_entry: Option<BunqMeTabEntryRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl BunqMeTabRequest {
    pub fn amount(&self) -> Option<MoneyInput> {
        let a = self.bunqme_tab_entry.as_ref()?.amount_inquired.clone()?;
        Some(MoneyInput {
            value: a.value,
            currency: a.currency,
        })
    }

    pub fn description(&self) -> Option<&str> {
        self.bunqme_tab_entry.as_ref()?.description.as_deref()
    }
}

/// provisio's operator API: someone pays a tab as a stranger would, either from an IBAN
/// elsewhere (`from_iban`, `from_name`: money in from outside) or from an account held here
/// (`from_monetary_account_id`: an internal payment); not both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BunqMeTabPayRequest {
    /// The IBAN elsewhere paying (money in from outside, `EBA_SCT`); by default
    /// NL91ABNA0417164300.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_iban: Option<String>,
    /// The name with `from_iban`; by default "bunq.me payer".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    /// Instead of `from_iban` and `from_name`: an account held here (another user's, say)
    /// pays the tab's amount as an internal payment (`BUNQ` on both sides, with their
    /// webhooks). Refused (400, nothing changed) if it lacks the money, is not ACTIVE, holds
    /// another currency or is the tab's own account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_monetary_account_id: Option<i64>,
}

pub fn bunqme_tab(t: &BunqMeTab) -> BunqMeTabObject {
    let alias = label(&t.alias_iban, &t.alias_name);
    BunqMeTabObject {
        id: t.id,
        created: ts(t.created),
        updated: ts(t.updated),
        time_expiry: None,
        monetary_account_id: t.monetary_account_id.0,
        status: t.status.as_str().into(),
        kind: "BUNQ_ME".into(),
        alias_monetary_account: alias.clone(),
        bunqme_tab_share_url: format!("{SHARE_URL_BASE}{}", t.uuid),
        bunqme_tab_entry: BunqMeTabEntryObject {
            uuid: t.uuid.clone(),
            amount_inquired: amount(t.amount_minor, &t.currency),
            alias,
            description: t.description.clone(),
            status: t.status.as_str().into(),
            redirect_url: None,
            merchant_available: Vec::new(),
        },
        result_inquiries: t
            .results
            .iter()
            .map(|p| BunqMeTabResultInquiry {
                payment: payment(p),
                bunq_me_tab_id: t.id,
            })
            .collect(),
    }
}
