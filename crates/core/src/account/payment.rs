//! Payments between accounts, on an exact ledger: amounts are integer minor units, every
//! payment is one row per account it touches (negative on the payer, positive on the payee),
//! each with the balance it left. This module validates what a client or operator sends and
//! says whom a payer may pay; the store applies a payment in one transaction.

use super::{
    amount::{parse_currency, parse_minor},
    pointer::{self, checked_iban, Pointer},
    rules::MoneyInput,
};
use crate::{
    model::{MonetaryAccountId, PaymentId, UserId},
    provision::enums::wire_enum,
    text,
    time::Timestamp,
    DomainError,
};

/// The longest payment description, in characters.
pub const MAX_PAYMENT_DESCRIPTION: usize = 140;
/// The longest merchant reference, in characters.
pub const MAX_MERCHANT_REFERENCE: usize = 35;
/// Where money credited by an operator comes from when no IBAN is given (a valid Dutch IBAN
/// outside provisio).
pub const DEFAULT_CREDIT_IBAN: &str = "NL91ABNA0417164300";
pub const DEFAULT_CREDIT_NAME: &str = "provisio sandbox";

wire_enum! {
    /// `Payment.type`: `BUNQ` between two accounts held here, `EBA_SCT` (SEPA credit
    /// transfer) to or from an IBAN elsewhere, `MASTERCARD` a card transaction's money
    /// (an authorisation, or its reversal).
    PaymentType {
        Bunq = "BUNQ",
        EbaSct = "EBA_SCT",
        Mastercard = "MASTERCARD",
    }
}

/// One side of a payment, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    /// Negative when money left the account.
    pub amount_minor: i64,
    pub currency: String,
    /// The account's own IBAN and holder name at the time.
    pub alias_iban: String,
    pub alias_name: String,
    pub counterparty_iban: String,
    pub counterparty_name: String,
    pub description: String,
    pub merchant_reference: Option<String>,
    pub kind: PaymentType,
    pub balance_after_minor: i64,
    pub created: Timestamp,
}

/// A validated outgoing payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    /// Positive.
    pub amount_minor: i64,
    pub currency: String,
    /// Whom to pay: an IBAN (here or elsewhere), or a user held here by email or phone.
    pub counterparty: Pointer,
    pub description: String,
    pub merchant_reference: Option<String>,
}

/// `counterparty_alias` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasInput {
    pub kind: Option<String>,
    pub value: Option<String>,
    pub name: Option<String>,
}

/// A `POST …/payment` body as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentInput {
    pub amount: Option<MoneyInput>,
    pub counterparty_alias: Option<AliasInput>,
    pub description: Option<String>,
    pub merchant_reference: Option<String>,
}

/// Whom a payer may pay (bunq's PSD2 rule for provisioned users, in `strict`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentPolicy {
    /// The users whose accounts may receive; `None`: any account held here.
    pub payees: Option<Vec<UserId>>,
    /// Whether an IBAN held elsewhere is accepted (as an outgoing `EBA_SCT`).
    pub external: bool,
}

impl PaymentPolicy {
    pub const OPEN: PaymentPolicy = PaymentPolicy {
        payees: None,
        external: true,
    };
}

/// An operator's credit from an IBAN elsewhere (money in, for the sandbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub amount_minor: i64,
    pub from_iban: String,
    pub from_name: String,
    pub description: String,
}

pub(super) fn positive_amount(field: &str, value: &str) -> Result<i64, DomainError> {
    let minor = parse_minor(field, value)?;
    if minor == 0 {
        return Err(DomainError::invalid(format!(
            "{field} must be more than 0.00."
        )));
    }
    Ok(minor)
}

pub(super) fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => text::required(field, Some(v), max).map(Some),
    }
}

pub(super) fn required<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str, DomainError> {
    value.ok_or_else(|| DomainError::invalid(format!("{field} is required.")))
}

/// Validates a payment body.
pub fn new_payment(input: &PaymentInput) -> Result<NewPayment, DomainError> {
    let amount = input.amount.as_ref().ok_or_else(|| {
        DomainError::invalid(
            "amount is required, such as {\"value\": \"10.00\", \"currency\": \"EUR\"}.",
        )
    })?;
    let amount_minor = positive_amount(
        "amount.value",
        required("amount.value", amount.value.as_deref())?,
    )?;
    let currency = parse_currency(
        "amount.currency",
        required("amount.currency", amount.currency.as_deref())?,
    )?;
    let alias = input.counterparty_alias.as_ref().ok_or_else(|| {
        DomainError::invalid(
            "counterparty_alias is required, such as {\"type\": \"IBAN\", \"value\": \"NL…\", \"name\": \"…\"}.",
        )
    })?;
    let counterparty = pointer::parse(
        "counterparty_alias",
        alias.kind.as_deref(),
        alias.value.as_deref(),
        alias.name.as_deref(),
    )?;
    let description = optional_text(
        "description",
        input.description.as_deref(),
        MAX_PAYMENT_DESCRIPTION,
    )?
    .unwrap_or_default();
    let merchant_reference = optional_text(
        "merchant_reference",
        input.merchant_reference.as_deref(),
        MAX_MERCHANT_REFERENCE,
    )?;
    Ok(NewPayment {
        amount_minor,
        currency,
        counterparty,
        description,
        merchant_reference,
    })
}

/// Validates an operator's credit; without `from_iban`, the money comes from
/// [`DEFAULT_CREDIT_IBAN`].
pub fn credit(
    amount: &str,
    from_iban: Option<&str>,
    from_name: Option<&str>,
    description: Option<&str>,
) -> Result<Credit, DomainError> {
    Ok(Credit {
        amount_minor: positive_amount("amount", amount)?,
        from_iban: match from_iban {
            Some(i) => checked_iban("from", i)?,
            None => DEFAULT_CREDIT_IBAN.to_owned(),
        },
        from_name: optional_text("name", from_name, text::MAX_DESCRIPTION)?
            .unwrap_or_else(|| DEFAULT_CREDIT_NAME.to_owned()),
        description: optional_text("description", description, MAX_PAYMENT_DESCRIPTION)?
            .unwrap_or_else(|| "Sandbox credit".to_owned()),
    })
}

/// The ledger's totals, for checking its invariants (tests, the benchmark, operators). Sums
/// are `i128`: each balance is at most [`MAX_BALANCE_MINOR`](super::amount::MAX_BALANCE_MINOR),
/// but enough accounts together pass `i64::MAX`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// The sum of every account's balance.
    pub balances_minor: i128,
    /// Money credited in from IBANs elsewhere.
    pub credited_minor: i128,
    /// Money paid out to IBANs elsewhere and to card merchants, net of card reversals
    /// (positive).
    pub paid_out_minor: i128,
    pub payments: i64,
    /// Accounts whose balance is not the sum of their payments.
    pub unbalanced: Vec<MonetaryAccountId>,
    /// Payments between two accounts held here missing their other side (or not summing to 0).
    pub unpaired: i64,
}

impl Ledger {
    /// Money is neither made nor lost inside provisio, and every balance is its history.
    pub fn holds(&self) -> bool {
        self.balances_minor == self.credited_minor - self.paid_out_minor
            && self.unbalanced.is_empty()
            && self.unpaired == 0
    }
}

/// The start of the UTC day `now` falls in: daily limits count outgoing payments from here.
pub fn day_start(now: Timestamp) -> Timestamp {
    const DAY: i64 = 86_400_000_000;
    Timestamp(now.micros() - now.micros().rem_euclid(DAY))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: &str, iban: &str) -> PaymentInput {
        PaymentInput {
            amount: Some(MoneyInput {
                value: Some(value.into()),
                currency: Some("EUR".into()),
            }),
            counterparty_alias: Some(AliasInput {
                kind: Some("IBAN".into()),
                value: Some(iban.into()),
                name: Some("Jan".into()),
            }),
            description: Some("Rent".into()),
            merchant_reference: None,
        }
    }

    fn refused(input: &PaymentInput) -> String {
        new_payment(input)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn payments_are_positive_two_decimal_amounts_to_valid_ibans() {
        let ok = new_payment(&body("12.34", "NL91 ABNA 0417 1643 00")).ok();
        assert_eq!(ok.as_ref().map(|p| p.amount_minor), Some(1234));
        let iban = |p: NewPayment| p.counterparty.value().to_owned();
        assert_eq!(ok.map(iban), Some("NL91ABNA0417164300".into()));
        // Any case, with or without spaces, is the same IBAN.
        let lower = new_payment(&body("1.00", "nl91 abna 0417 1643 00")).ok();
        assert_eq!(lower.map(iban), Some("NL91ABNA0417164300".into()));
        let iban = "NL91ABNA0417164300";
        assert!(refused(&body("01.00", iban)).contains("no leading zeros"));
        assert!(refused(&body("0.00", iban)).contains("more than 0.00"));
        assert!(refused(&body("1.001", iban)).contains("two decimals"));
        assert!(refused(&body("-1.00", iban)).contains("two decimals"));
        assert!(refused(&body("1.00", "NL92ABNA0417164300")).contains("not a valid IBAN"));
        let mut long = body("1.00", iban);
        long.description = Some("x".repeat(141));
        assert!(refused(&long).contains("140"));
        long.description = None;
        long.merchant_reference = Some("x".repeat(36));
        assert!(refused(&long).contains("35"));
    }

    #[test]
    fn credits_default_to_a_sandbox_iban() {
        let c = credit("100.00", None, None, None).ok();
        assert_eq!(
            c.map(|c| (c.amount_minor, c.from_iban)),
            Some((10_000, DEFAULT_CREDIT_IBAN.into()))
        );
        assert!(credit("100", None, None, None).is_err());
        assert!(credit("1.00", Some("NL00XXXX"), None, None).is_err());
    }

    #[test]
    fn days_start_at_midnight_utc() {
        let t = Timestamp(1_700_000_000_000_000);
        let start = day_start(t);
        assert_eq!(start.micros() % 86_400_000_000, 0);
        assert!(start <= t && t.micros() - start.micros() < 86_400_000_000);
    }
}
