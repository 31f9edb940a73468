//! Payment batches and draft payments: several payments from one account, paid together in
//! one transaction or not at all. A draft waits for its account holder to accept or reject it.

use super::payment::{new_payment, NewPayment, PaymentInput};
use crate::{
    model::{MonetaryAccountId, UserId},
    provision::enums::wire_enum,
    time::Timestamp,
    DomainError,
};

/// The most payments one batch, or one draft, holds. bunq documents 350 for its bulk payments
/// and for draft payments sent in one request; provisio applies the same bound to both.
pub const MAX_BATCH_PAYMENTS: usize = 350;

/// A batch as stored: its payments are the paying sides that carry its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentBatch {
    pub id: i64,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub payments: Vec<super::payment::Payment>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Validates a list of payment bodies (`field` names the list in refusals): at least one, at
/// most [`MAX_BATCH_PAYMENTS`], each valid; a refusal names the payment by its index.
pub fn new_payments(field: &str, inputs: &[PaymentInput]) -> Result<Vec<NewPayment>, DomainError> {
    if inputs.is_empty() {
        return Err(DomainError::invalid(format!(
            "{field} must hold at least one payment."
        )));
    }
    if inputs.len() > MAX_BATCH_PAYMENTS {
        return Err(DomainError::invalid(format!(
            "{field} holds {} payments; at most {MAX_BATCH_PAYMENTS} are allowed.",
            inputs.len()
        )));
    }
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| new_payment(input).map_err(|e| indexed(field, i, &e.to_string())))
        .collect()
}

/// A refusal of the payment at `index`, as a client reads it.
pub fn indexed(field: &str, index: usize, message: &str) -> DomainError {
    DomainError::invalid(format!("{field}[{index}]: {message}"))
}

wire_enum! {
    /// `DraftPayment.status`.
    DraftStatus {
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Rejected = "REJECTED",
    }
}

/// A draft payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftPayment {
    pub id: i64,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub status: DraftStatus,
    /// Each with its id (`DraftPaymentEntry.id`).
    pub entries: Vec<(i64, NewPayment)>,
    /// The account's own IBAN and holder name (`DraftPaymentEntry.alias`).
    pub alias_iban: String,
    pub alias_name: String,
    /// Once ACCEPTED: the batch its entries were paid as.
    pub batch: Option<PaymentBatch>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A draft's `number_of_required_accepts`: bunq takes only 1.
pub fn required_accepts(value: Option<i64>) -> Result<(), DomainError> {
    match value {
        Some(1) => Ok(()),
        None => Err(DomainError::invalid(
            "number_of_required_accepts is required; only 1 is valid.",
        )),
        Some(other) => Err(DomainError::invalid(format!(
            "number_of_required_accepts is {other}; only 1 is valid."
        ))),
    }
}

/// The status a `PUT` may set on a PENDING draft.
pub fn draft_answer(status: Option<&str>) -> Result<DraftStatus, DomainError> {
    match status.map(DraftStatus::parse) {
        Some(Some(s @ (DraftStatus::Accepted | DraftStatus::Rejected))) => Ok(s),
        _ => Err(DomainError::invalid("status must be ACCEPTED or REJECTED.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::{payment::AliasInput, rules::MoneyInput};

    fn body(value: &str) -> PaymentInput {
        PaymentInput {
            amount: Some(MoneyInput {
                value: Some(value.into()),
                currency: Some("EUR".into()),
            }),
            counterparty_alias: Some(AliasInput {
                kind: Some("IBAN".into()),
                value: Some("NL91ABNA0417164300".into()),
                name: Some("Jan".into()),
            }),
            description: None,
            merchant_reference: None,
        }
    }

    #[test]
    fn a_batch_holds_one_to_350_valid_payments_and_names_the_bad_one() {
        assert!(new_payments("payments", &[]).is_err());
        let ok = new_payments("payments", &[body("1.00"), body("2.00")]).ok();
        assert_eq!(ok.map(|p| p.len()), Some(2));
        let bad = new_payments("payments", &[body("1.00"), body("0.00")]).err();
        assert!(bad.is_some_and(|e| e.to_string().contains("payments[1]: ")));
        let many = vec![body("1.00"); MAX_BATCH_PAYMENTS + 1];
        let too_many = new_payments("payments", &many).err();
        assert!(too_many.is_some_and(|e| e.to_string().contains("at most 350")));
        assert!(new_payments("payments", &many[1..]).is_ok());
    }

    #[test]
    fn a_draft_is_answered_accepted_or_rejected_and_needs_one_accept() {
        assert_eq!(
            draft_answer(Some("ACCEPTED")).ok(),
            Some(DraftStatus::Accepted)
        );
        assert_eq!(
            draft_answer(Some("REJECTED")).ok(),
            Some(DraftStatus::Rejected)
        );
        assert!(draft_answer(Some("PENDING")).is_err());
        assert!(draft_answer(None).is_err());
        assert!(required_accepts(Some(1)).is_ok());
        assert!(required_accepts(Some(2)).is_err());
        assert!(required_accepts(None).is_err());
    }
}
