//! `Payment` as bunq renders it, the body that makes one, and the operator's credit body.

use provisio_core::account::{
    amount::format_minor,
    payment::{AliasInput, Ledger, Payment, PaymentInput},
    rules::MoneyInput,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount, AmountRequest},
    time::ts,
};

/// An account as a payment shows it (bunq's `LabelMonetaryAccount`, the parts provisio has).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LabelMonetaryAccount {
    pub iban: String,
    pub display_name: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub monetary_account_id: i64,
    pub amount: Amount,
    pub alias: LabelMonetaryAccount,
    pub counterparty_alias: LabelMonetaryAccount,
    pub description: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub sub_type: String,
    pub status: String,
    pub balance_after_mutation: Amount,
    #[schema(required = true)]
    pub merchant_reference: Option<String>,
    /// Where the payment was made: provisio takes none, so `null`, as bunq renders a payment
    /// sent without one.
    #[schema(required = true)]
    pub geolocation: Option<serde_json::Value>,
}

/// `counterparty_alias` as sent: the same pointer as a provision's.
pub use crate::requests::Pointer as PointerRequest;

/// `POST /user/{userId}/monetary-account/{accountId}/payment`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterparty_alias: Option<PointerRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_reference: Option<String>,
}

impl From<PaymentRequest> for PaymentInput {
    fn from(r: PaymentRequest) -> Self {
        PaymentInput {
            amount: r.amount.map(|a| MoneyInput {
                value: a.value,
                currency: a.currency,
            }),
            counterparty_alias: r.counterparty_alias.map(|c| AliasInput {
                kind: c.kind,
                value: c.value,
                name: c.name,
            }),
            description: r.description,
            merchant_reference: r.merchant_reference,
        }
    }
}

/// provisio's operator API: money in, from an IBAN elsewhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditRequest {
    /// A decimal string with two decimals, in the account's currency.
    pub amount: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_iban: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The label of a payee not yet paid, as its payer named it: an IBAN with the name given, or
/// an email address or phone number (resolved to an account only when paid), shown as its
/// display name with no IBAN.
pub fn pointer_label(pointer: &provisio_core::account::pointer::Pointer) -> LabelMonetaryAccount {
    use provisio_core::account::pointer::Pointer;
    match pointer {
        Pointer::Iban { iban, name } => label(iban, name),
        Pointer::Email(value) | Pointer::Phone(value) => LabelMonetaryAccount {
            iban: String::new(),
            display_name: value.clone(),
            country: "NL".to_owned(),
        },
    }
}

pub fn label(iban: &str, name: &str) -> LabelMonetaryAccount {
    LabelMonetaryAccount {
        iban: iban.to_owned(),
        display_name: name.to_owned(),
        country: iban.get(..2).unwrap_or("NL").to_owned(),
    }
}

pub fn payment(p: &Payment) -> PaymentObject {
    PaymentObject {
        id: p.id.0,
        created: ts(p.created),
        updated: ts(p.created),
        monetary_account_id: p.monetary_account_id.0,
        amount: amount(p.amount_minor, &p.currency),
        alias: label(&p.alias_iban, &p.alias_name),
        counterparty_alias: label(&p.counterparty_iban, &p.counterparty_name),
        description: p.description.clone(),
        kind: p.kind.as_str().into(),
        sub_type: "PAYMENT".into(),
        status: "SETTLED".into(),
        balance_after_mutation: amount(p.balance_after_minor, &p.currency),
        merchant_reference: p.merchant_reference.clone(),
        geolocation: None,
    }
}

/// provisio's operator API: the ledger's totals and whether its invariants hold (all amounts
/// summed over every currency, in minor units written as decimals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerCheck {
    pub balances: String,
    pub credited: String,
    pub paid_out: String,
    pub payments: i64,
    pub unbalanced_accounts: Vec<i64>,
    pub unpaired_payments: i64,
    pub holds: bool,
}

pub fn ledger(l: &Ledger) -> LedgerCheck {
    LedgerCheck {
        balances: format_minor(l.balances_minor),
        credited: format_minor(l.credited_minor),
        paid_out: format_minor(l.paid_out_minor),
        payments: l.payments,
        unbalanced_accounts: l.unbalanced.iter().map(|a| a.0).collect(),
        unpaired_payments: l.unpaired,
        holds: l.holds(),
    }
}
