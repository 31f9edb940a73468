//! Requests for money: bunq's `RequestInquiry` (what the asking account sees) and the
//! `RequestResponse` its counterparty sees when that counterparty is an account here. One
//! request is one record with both sides; accepting it is an internal payment from the
//! responder to the inquirer, in the transaction that changes its status. This module
//! validates what a client sends and decides which transitions a request allows; the store
//! applies them.
//!
//! The sandbox's `sugardaddy@bunq.com` accepts a request at once, up to a limit, paying it as
//! money in from outside (bunq's way of handing out test money).

use super::{
    amount::{format_minor, parse_currency},
    payment::{optional_text, positive_amount, required, AliasInput},
    pointer::{self, Pointer},
    rules::MoneyInput,
};
use crate::{
    model::{MonetaryAccountId, UserId},
    provision::enums::wire_enum,
    text,
    time::Timestamp,
    DomainError,
};

wire_enum! {
    /// `RequestInquiry.status` and `RequestResponse.status`. provisio's requests do not expire
    /// (no `time_expiry`), so `EXPIRED` is never set; it is listed because bunq's clients know it.
    RequestStatus {
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Rejected = "REJECTED",
        Revoked = "REVOKED",
        Expired = "EXPIRED",
    }
}

/// The sandbox user who accepts every request up to a limit (bunq's developer docs).
pub const SUGARDADDY_EMAIL: &str = "sugardaddy@bunq.com";
pub const SUGARDADDY_NAME: &str = "Sugar Daddy";
/// Sugar Daddy's account, as the paying side of its payments shows it (a valid Dutch IBAN
/// that provisio does not issue: its account numbers are random).
pub const SUGARDADDY_IBAN: &str = "NL10BUNQ2025000500";
/// bunq's: 500.00 per request.
pub const DEFAULT_SUGARDADDY_LIMIT_MINOR: i64 = 50_000;
/// bunq's limit on a request's description.
pub const MAX_REQUEST_DESCRIPTION: usize = 9000;

/// A request for money, both sides, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyRequest {
    pub id: i64,
    /// The inquirer: the account that asks for the money, its owner, IBAN and name.
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub alias_iban: String,
    pub alias_name: String,
    /// The responder when it is an account here (it then sees a `RequestResponse`).
    pub responder_account_id: Option<MonetaryAccountId>,
    pub responder_user_id: Option<UserId>,
    /// The counterparty as it was asked (`IBAN` or `EMAIL`, and the value sent).
    pub counterparty_type: String,
    pub counterparty_value: String,
    /// The counterparty's account and name as the request shows them.
    pub counterparty_iban: String,
    pub counterparty_name: String,
    pub amount_inquired_minor: i64,
    pub amount_responded_minor: Option<i64>,
    pub currency: String,
    pub description: String,
    pub merchant_reference: Option<String>,
    pub status: RequestStatus,
    pub time_responded: Option<Timestamp>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// Who answers a request, once its pointer is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestTarget {
    /// Whoever the pointer names: an account here (by IBAN, or a user's primary account by
    /// EMAIL or PHONE_NUMBER) answers with a `RequestResponse`; an IBAN elsewhere never
    /// answers (the request stays PENDING); an email or phone number no one here has is
    /// refused by the store.
    Pointer(Pointer),
    /// `sugardaddy@bunq.com` in the sandbox: accepted at once, paid as money in from outside.
    SugarDaddy,
}

/// A validated `POST …/request-inquiry`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub amount_minor: i64,
    pub currency: String,
    pub counterparty: Pointer,
    pub description: String,
    pub merchant_reference: Option<String>,
}

/// A `POST …/request-inquiry` body as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestInput {
    pub amount_inquired: Option<MoneyInput>,
    pub counterparty_alias: Option<AliasInput>,
    pub description: Option<String>,
    pub merchant_reference: Option<String>,
}

/// What a responder does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Pays it; the amount and currency sent, if any (they must be the amount inquired).
    Accept(Option<(i64, String)>),
    Reject,
}

/// Parses `counterparty_alias`, as a payment's (IBAN, EMAIL or PHONE_NUMBER).
pub fn counterparty(alias: Option<&AliasInput>) -> Result<Pointer, DomainError> {
    let alias = alias.ok_or_else(|| {
        DomainError::invalid(
            "counterparty_alias is required, such as {\"type\": \"IBAN\", \"value\": \"NL…\", \"name\": \"…\"} or {\"type\": \"EMAIL\", \"value\": \"sugardaddy@bunq.com\"}.",
        )
    })?;
    pointer::parse(
        "counterparty_alias",
        alias.kind.as_deref(),
        alias.value.as_deref(),
        alias.name.as_deref(),
    )
}

/// Validates a request body.
pub fn new_request(input: &RequestInput) -> Result<NewRequest, DomainError> {
    let amount = input.amount_inquired.as_ref().ok_or_else(|| {
        DomainError::invalid(
            "amount_inquired is required, such as {\"value\": \"10.00\", \"currency\": \"EUR\"}.",
        )
    })?;
    let amount_minor = positive_amount(
        "amount_inquired.value",
        required("amount_inquired.value", amount.value.as_deref())?,
    )?;
    let currency = parse_currency(
        "amount_inquired.currency",
        required("amount_inquired.currency", amount.currency.as_deref())?,
    )?;
    let counterparty = counterparty(input.counterparty_alias.as_ref())?;
    // bunq: required, but may be empty.
    let description = input
        .description
        .as_deref()
        .ok_or_else(|| DomainError::invalid("description is required (it may be empty)."))?
        .trim()
        .to_owned();
    if description.chars().count() > MAX_REQUEST_DESCRIPTION {
        return Err(DomainError::invalid(format!(
            "description must be at most {MAX_REQUEST_DESCRIPTION} characters."
        )));
    }
    let merchant_reference = optional_text(
        "merchant_reference",
        input.merchant_reference.as_deref(),
        super::payment::MAX_MERCHANT_REFERENCE,
    )?;
    Ok(NewRequest {
        amount_minor,
        currency,
        counterparty,
        description,
        merchant_reference,
    })
}

/// Who answers a request: Sugar Daddy in the sandbox (`sugardaddy_limit` is `None`
/// elsewhere), within its limit; anyone else as the pointer names them.
pub fn target(
    request: &NewRequest,
    sugardaddy_limit: Option<i64>,
) -> Result<RequestTarget, DomainError> {
    match (&request.counterparty, sugardaddy_limit) {
        (Pointer::Email(email), Some(limit)) if email == SUGARDADDY_EMAIL => {
            if request.amount_minor > limit {
                return Err(DomainError::invalid(format!(
                    "Sugar Daddy accepts requests of up to {} {} at a time; this one asks {} {}.",
                    format_minor(limit),
                    request.currency,
                    format_minor(request.amount_minor),
                    request.currency
                )));
            }
            Ok(RequestTarget::SugarDaddy)
        }
        (pointer, _) => Ok(RequestTarget::Pointer(pointer.clone())),
    }
}

/// Parses a `PUT …/request-response/{id}` body.
pub fn answer(status: Option<&str>, amount: Option<&MoneyInput>) -> Result<Answer, DomainError> {
    match status {
        Some("ACCEPTED") => {
            let amount = match amount {
                None => None,
                Some(a) => Some((
                    positive_amount(
                        "amount_responded.value",
                        required("amount_responded.value", a.value.as_deref())?,
                    )?,
                    parse_currency(
                        "amount_responded.currency",
                        required("amount_responded.currency", a.currency.as_deref())?,
                    )?,
                )),
            };
            Ok(Answer::Accept(amount))
        }
        Some("REJECTED") => Ok(Answer::Reject),
        Some(other) => Err(DomainError::invalid(format!(
            "status must be ACCEPTED or REJECTED; got {}.",
            text::quoted(other)
        ))),
        None => Err(DomainError::invalid(
            "status is required: ACCEPTED (with amount_responded) or REJECTED.",
        )),
    }
}

/// Parses a `PUT …/request-inquiry/{id}` body: only `{"status":"REVOKED"}`.
pub fn revocation(status: Option<&str>) -> Result<(), DomainError> {
    match status {
        Some("REVOKED") => Ok(()),
        Some(other) => Err(DomainError::invalid(format!(
            "status can only be changed to REVOKED; got {}.",
            text::quoted(other)
        ))),
        None => Err(DomainError::invalid("status is required: REVOKED.")),
    }
}

/// Why a request in `status` cannot be answered or revoked (`None`: it can, it is PENDING).
pub fn not_pending(status: RequestStatus) -> Option<String> {
    (status != RequestStatus::Pending).then(|| {
        format!("This request is {status}; only a PENDING request can be accepted, rejected or revoked.")
    })
}

/// The amount an acceptance pays: the amount inquired; an `amount_responded` sent must be it.
pub fn accepted_amount(
    request: &MoneyRequest,
    sent: Option<&(i64, String)>,
) -> Result<i64, String> {
    match sent {
        Some((minor, currency))
            if *minor != request.amount_inquired_minor || *currency != request.currency =>
        {
            Err(format!(
                "amount_responded must be the amount inquired, {} {}; this request allows no other amount.",
                format_minor(request.amount_inquired_minor),
                request.currency
            ))
        }
        _ => Ok(request.amount_inquired_minor),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(value: &str, kind: &str, pointer: &str) -> RequestInput {
        RequestInput {
            amount_inquired: Some(MoneyInput {
                value: Some(value.into()),
                currency: Some("EUR".into()),
            }),
            counterparty_alias: Some(AliasInput {
                kind: Some(kind.into()),
                value: Some(pointer.into()),
                name: Some("Jan".into()),
            }),
            description: Some("Lunch".into()),
            merchant_reference: None,
        }
    }

    fn refused(input: &RequestInput) -> String {
        new_request(input)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn requests_take_two_decimal_amounts_to_an_iban_an_email_or_a_phone_number() {
        let ok = new_request(&body("12.34", "IBAN", "nl91 abna 0417 1643 00")).ok();
        assert_eq!(
            ok.map(|r| (r.amount_minor, r.counterparty)),
            Some((
                1234,
                Pointer::Iban {
                    iban: "NL91ABNA0417164300".into(),
                    name: "Jan".into()
                }
            ))
        );
        let mail = new_request(&body("1.00", "EMAIL", " SugarDaddy@bunq.com")).ok();
        assert!(
            matches!(mail.map(|r| r.counterparty), Some(Pointer::Email(email)) if email == SUGARDADDY_EMAIL)
        );
        assert!(refused(&body("1.001", "IBAN", "NL91ABNA0417164300")).contains("two decimals"));
        assert!(refused(&body("0.00", "IBAN", "NL91ABNA0417164300")).contains("more than 0.00"));
        assert!(refused(&body("1.00", "PHONE", "+31")).contains("IBAN, EMAIL or PHONE_NUMBER"));
        let phone = new_request(&body("1.00", "PHONE_NUMBER", "+31 6 1234 5678")).ok();
        assert_eq!(
            phone.map(|r| r.counterparty),
            Some(Pointer::Phone("+31612345678".into()))
        );
        assert!(refused(&body("1.00", "EMAIL", "nobody")).contains("not an email"));
        let mut blank = body("1.00", "IBAN", "NL91ABNA0417164300");
        blank.description = None;
        assert!(refused(&blank).contains("description is required"));
        blank.description = Some(String::new());
        assert!(
            new_request(&blank).is_ok(),
            "an empty description is bunq's default"
        );
    }

    #[test]
    fn sugardaddy_answers_up_to_its_limit_in_the_sandbox_only() {
        let request = |value: &str| new_request(&body(value, "EMAIL", SUGARDADDY_EMAIL));
        let at_limit = request("500.00").and_then(|r| target(&r, Some(50_000)));
        assert_eq!(at_limit.ok(), Some(RequestTarget::SugarDaddy));
        let above = request("500.01").and_then(|r| target(&r, Some(50_000)));
        assert!(above.is_err_and(|e| e.to_string().contains("up to 500.00 EUR")));
        // Elsewhere, and for any other address, the pointer is resolved like a payment's.
        let production = request("1.00").and_then(|r| target(&r, None));
        assert_eq!(
            production.ok(),
            Some(RequestTarget::Pointer(Pointer::Email(
                SUGARDADDY_EMAIL.into()
            )))
        );
        let other = new_request(&body("1.00", "EMAIL", "jan@example.com"))
            .and_then(|r| target(&r, Some(50_000)));
        assert_eq!(
            other.ok(),
            Some(RequestTarget::Pointer(Pointer::Email(
                "jan@example.com".into()
            )))
        );
    }

    #[test]
    fn only_pending_requests_are_answered_and_at_their_own_amount() {
        assert!(not_pending(RequestStatus::Pending).is_none());
        assert!(not_pending(RequestStatus::Accepted).is_some_and(|m| m.contains("ACCEPTED")));
        assert_eq!(answer(Some("REJECTED"), None).ok(), Some(Answer::Reject));
        assert!(answer(Some("REVOKED"), None).is_err());
        assert!(revocation(Some("ACCEPTED")).is_err());
        let three = MoneyInput {
            value: Some("1.001".into()),
            currency: Some("EUR".into()),
        };
        assert!(answer(Some("ACCEPTED"), Some(&three)).is_err());
    }
}
