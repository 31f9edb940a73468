//! `PaymentBatch` and `DraftPayment` as bunq renders them, and the bodies that make them.

use provisio_core::account::{
    batch::{DraftPayment, PaymentBatch},
    payment::{NewPayment, PaymentInput},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount},
    payments::{
        label, payment, pointer_label, LabelMonetaryAccount, PaymentObject, PaymentRequest,
    },
    time::ts,
};

/// `PaymentBatch.payments`: bunq nests the list under the object type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchPayments {
    #[serde(rename = "Payment")]
    pub payment: Vec<PaymentObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentBatchObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub monetary_account_id: i64,
    pub payments: BatchPayments,
}

/// What a draft (or a schedule's run) made: `{"Payment": …}` or `{"PaymentBatch": …}`.
// Built once per answer and serialised straight away, as `Item` is; boxing adds only noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AnchorObject {
    Payment(PaymentObject),
    PaymentBatch(PaymentBatchObject),
}

/// `DraftPaymentEntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftPaymentEntryObject {
    pub id: i64,
    pub amount: Amount,
    pub alias: LabelMonetaryAccount,
    pub counterparty_alias: LabelMonetaryAccount,
    pub description: String,
    #[schema(required = true)]
    pub merchant_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftPaymentObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub monetary_account_id: i64,
    /// `PENDING`, `ACCEPTED` or `REJECTED`.
    pub status: String,
    pub entries: Vec<DraftPaymentEntryObject>,
    /// The Payment (one entry) or PaymentBatch it made; `null` until ACCEPTED.
    #[schema(required = true)]
    pub object: Option<AnchorObject>,
    /// A draft with a schedule: provisio has none, so `null`.
    #[schema(required = true)]
    pub schedule: Option<serde_json::Value>,
}

/// `POST …/payment-batch`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentBatchRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payments: Option<Vec<PaymentRequest>>,
}

/// `POST …/draft-payment` (`entries`, `number_of_required_accepts`) and `PUT
/// …/draft-payment/{id}` (`status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DraftPaymentRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<PaymentRequest>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_required_accepts: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Taken and not checked: provisio answers a draft in its transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_updated_timestamp: Option<String>,
}

/// Each body of a list, as core validates it.
pub fn inputs(list: Option<Vec<PaymentRequest>>) -> Vec<PaymentInput> {
    list.unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect()
}

pub fn payment_batch(b: &PaymentBatch) -> PaymentBatchObject {
    PaymentBatchObject {
        id: b.id,
        created: ts(b.created),
        updated: ts(b.updated),
        monetary_account_id: b.monetary_account_id.0,
        payments: BatchPayments {
            payment: b.payments.iter().map(payment).collect(),
        },
    }
}

/// One payment as itself, several as their batch.
pub fn anchor(b: &PaymentBatch) -> AnchorObject {
    match b.payments.as_slice() {
        [one] => AnchorObject::Payment(payment(one)),
        _ => AnchorObject::PaymentBatch(payment_batch(b)),
    }
}

fn entry(id: i64, p: &NewPayment, d: &DraftPayment) -> DraftPaymentEntryObject {
    DraftPaymentEntryObject {
        id,
        amount: amount(p.amount_minor, &p.currency),
        alias: label(&d.alias_iban, &d.alias_name),
        counterparty_alias: pointer_label(&p.counterparty),
        description: p.description.clone(),
        merchant_reference: p.merchant_reference.clone(),
    }
}

pub fn draft_payment(d: &DraftPayment) -> DraftPaymentObject {
    DraftPaymentObject {
        id: d.id,
        created: ts(d.created),
        updated: ts(d.updated),
        monetary_account_id: d.monetary_account_id.0,
        status: d.status.as_str().into(),
        entries: d.entries.iter().map(|(id, p)| entry(*id, p, d)).collect(),
        object: d.batch.as_ref().map(anchor),
        schedule: None,
    }
}
