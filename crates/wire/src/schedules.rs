//! `SchedulePayment` and `ScheduleInstance` as bunq renders them, and the body that makes a
//! schedule.

use provisio_core::account::{
    payment::{NewPayment, PaymentInput},
    schedule::{PaymentSchedule, ScheduleInput, ScheduleInstance},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{amount, Amount},
    batches::AnchorObject,
    payments::{label, payment, pointer_label, LabelMonetaryAccount, PaymentRequest},
    time::ts,
};

/// `SchedulePaymentEntry`: the payment each run makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchedulePaymentEntry {
    pub amount: Amount,
    pub alias: LabelMonetaryAccount,
    pub counterparty_alias: LabelMonetaryAccount,
    pub description: String,
    #[schema(required = true)]
    pub merchant_reference: Option<String>,
}

/// `Schedule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleObject {
    pub time_start: String,
    #[schema(required = true)]
    pub time_end: Option<String>,
    pub recurrence_unit: String,
    pub recurrence_size: i64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchedulePaymentObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    pub monetary_account_id: i64,
    pub payment: SchedulePaymentEntry,
    pub schedule: ScheduleObject,
    /// `ACTIVE`, `FINISHED` or `CANCELLED`.
    pub status: String,
}

/// bunq's `Error` object, as a failed run carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RunError {
    pub error_description: String,
    pub error_description_translated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleInstanceObject {
    pub id: i64,
    pub created: String,
    pub updated: String,
    /// `FINISHED_SUCCESSFULLY` or `FAILED_USER_ERROR`.
    pub state: String,
    pub time_start: String,
    pub time_end: String,
    /// Why the run failed, as bunq's `Error` objects; empty when it paid.
    pub error_message: Vec<RunError>,
    /// The Payment the run made; `null` when it failed.
    #[schema(required = true)]
    pub result_object: Option<AnchorObject>,
}

/// `schedule` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ScheduleRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_size: Option<i64>,
}

impl From<ScheduleRequest> for ScheduleInput {
    fn from(r: ScheduleRequest) -> Self {
        ScheduleInput {
            time_start: r.time_start,
            time_end: r.time_end,
            recurrence_unit: r.recurrence_unit,
            recurrence_size: r.recurrence_size,
        }
    }
}

/// `POST …/schedule-payment` and `PUT …/schedule-payment/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SchedulePaymentRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleRequest>,
}

impl SchedulePaymentRequest {
    pub fn into_inputs(self) -> (Option<PaymentInput>, Option<ScheduleInput>) {
        (self.payment.map(Into::into), self.schedule.map(Into::into))
    }
}

fn entry(p: &NewPayment, s: &PaymentSchedule) -> SchedulePaymentEntry {
    SchedulePaymentEntry {
        amount: amount(p.amount_minor, &p.currency),
        alias: label(&s.alias_iban, &s.alias_name),
        counterparty_alias: pointer_label(&p.counterparty),
        description: p.description.clone(),
        merchant_reference: p.merchant_reference.clone(),
    }
}

pub fn schedule_payment(s: &PaymentSchedule) -> SchedulePaymentObject {
    let r = &s.recurrence;
    SchedulePaymentObject {
        id: s.id,
        created: ts(s.created),
        updated: ts(s.updated),
        monetary_account_id: s.monetary_account_id.0,
        payment: entry(&s.payment, s),
        schedule: ScheduleObject {
            time_start: ts(r.time_start),
            time_end: r.time_end.map(ts),
            recurrence_unit: r.unit.as_str().into(),
            recurrence_size: r.size,
            status: s.status.as_str().into(),
        },
        status: s.status.as_str().into(),
    }
}

pub fn schedule_instance(i: &ScheduleInstance) -> ScheduleInstanceObject {
    ScheduleInstanceObject {
        id: i.id,
        created: ts(i.created),
        updated: ts(i.time_end),
        state: i.state.as_str().into(),
        time_start: ts(i.time_start),
        time_end: ts(i.time_end),
        error_message: i
            .error_message
            .iter()
            .map(|m| RunError {
                error_description: m.clone(),
                error_description_translated: m.clone(),
            })
            .collect(),
        result_object: i
            .payment
            .as_ref()
            .map(|p| AnchorObject::Payment(payment(p))),
    }
}
