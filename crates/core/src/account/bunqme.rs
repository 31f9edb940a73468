//! bunq.me tabs (`BunqMeTab`): a link anyone can pay a fixed amount through, into the account
//! that made it. Here a payment is the operator's (`POST /_provisio/bunqme-tabs/{id}/pay`):
//! money in from an IBAN elsewhere, or an internal payment from an account held here (another
//! user's, as a stranger would pay); a tab takes payments until it is cancelled.

use super::{
    amount::parse_currency,
    payment::{optional_text, positive_amount, required, Payment, DEFAULT_CREDIT_IBAN},
    pointer::checked_iban,
    request::MAX_REQUEST_DESCRIPTION,
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
    /// `BunqMeTab.status`. provisio's tabs do not expire, so `EXPIRED` is never set.
    BunqMeTabStatus {
        WaitingForPayment = "WAITING_FOR_PAYMENT",
        Cancelled = "CANCELLED",
        Expired = "EXPIRED",
    }
}

/// A tab as stored, with the payments made through it (`result_inquiries`), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BunqMeTab {
    pub id: i64,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    /// The entry's uuid, also the share URL's last segment.
    pub uuid: String,
    pub alias_iban: String,
    pub alias_name: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub status: BunqMeTabStatus,
    pub results: Vec<Payment>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A validated `POST …/bunqme-tab`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTab {
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
}

/// Validates `bunqme_tab_entry` (`amount_inquired`, `description`).
pub fn new_tab(
    amount: Option<&MoneyInput>,
    description: Option<&str>,
) -> Result<NewTab, DomainError> {
    let amount = amount.ok_or_else(|| {
        DomainError::invalid(
            "bunqme_tab_entry.amount_inquired is required, such as {\"value\": \"10.00\", \"currency\": \"EUR\"}.",
        )
    })?;
    let field = "bunqme_tab_entry.amount_inquired";
    let amount_minor = positive_amount(
        &format!("{field}.value"),
        required(&format!("{field}.value"), amount.value.as_deref())?,
    )?;
    let currency = parse_currency(
        &format!("{field}.currency"),
        required(&format!("{field}.currency"), amount.currency.as_deref())?,
    )?;
    let description = description.unwrap_or_default().trim().to_owned();
    if description.chars().count() > MAX_REQUEST_DESCRIPTION {
        return Err(DomainError::invalid(format!(
            "bunqme_tab_entry.description must be at most {MAX_REQUEST_DESCRIPTION} characters."
        )));
    }
    Ok(NewTab {
        amount_minor,
        currency,
        description,
    })
}

/// Parses a `PUT …/bunqme-tab/{id}` body: only `{"status":"CANCELLED"}`.
pub fn cancellation(status: Option<&str>) -> Result<(), DomainError> {
    match status {
        Some("CANCELLED") => Ok(()),
        Some(other) => Err(DomainError::invalid(format!(
            "status can only be changed to CANCELLED; got {}.",
            text::quoted(other)
        ))),
        None => Err(DomainError::invalid("status is required: CANCELLED.")),
    }
}

/// Who pays a tab (the operator's body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TabPayer {
    /// A stranger, from an IBAN elsewhere: money in from outside.
    Stranger { iban: String, name: String },
    /// An account held here (another user's, say): an internal payment to the tab's account.
    Account(MonetaryAccountId),
}

/// The stranger paying a tab (the operator's body): an IBAN elsewhere, by default
/// [`DEFAULT_CREDIT_IBAN`], and a name, by default "bunq.me payer".
pub fn stranger(
    from_iban: Option<&str>,
    from_name: Option<&str>,
) -> Result<(String, String), DomainError> {
    let iban = match from_iban {
        Some(i) => checked_iban("from_iban", i)?,
        None => DEFAULT_CREDIT_IBAN.to_owned(),
    };
    let name = optional_text("from_name", from_name, text::MAX_DESCRIPTION)?
        .unwrap_or_else(|| "bunq.me payer".to_owned());
    Ok((iban, name))
}

/// The operator's body paying a tab: `from_monetary_account_id` (an account held here) or a
/// stranger ([`stranger`]), not both.
pub fn payer(
    from_iban: Option<&str>,
    from_name: Option<&str>,
    from_monetary_account_id: Option<i64>,
) -> Result<TabPayer, DomainError> {
    match from_monetary_account_id {
        Some(_) if from_iban.is_some() || from_name.is_some() => Err(DomainError::invalid(
            "from_monetary_account_id pays from an account held here; from_iban and from_name \
             pay from an IBAN elsewhere: give one or the other, not both.",
        )),
        Some(id) => Ok(TabPayer::Account(MonetaryAccountId(id))),
        None => {
            let (iban, name) = stranger(from_iban, from_name)?;
            Ok(TabPayer::Stranger { iban, name })
        }
    }
}

/// Why a tab in `status` takes no change or payment (`None`: it is open).
pub fn not_open(status: BunqMeTabStatus) -> Option<String> {
    (status != BunqMeTabStatus::WaitingForPayment).then(|| {
        format!("This bunq.me tab is {status}; only a tab WAITING_FOR_PAYMENT can be paid or cancelled.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_take_a_positive_two_decimal_amount_and_only_cancel() {
        let money = |v: &str| MoneyInput {
            value: Some(v.into()),
            currency: Some("EUR".into()),
        };
        let tab = new_tab(Some(&money("7.50")), Some(" Pizza ")).ok();
        assert_eq!(
            tab.map(|t| (t.amount_minor, t.description)),
            Some((750, "Pizza".into()))
        );
        assert!(new_tab(Some(&money("7.505")), None).is_err());
        assert!(new_tab(None, Some("x")).is_err_and(|e| e.to_string().contains("amount_inquired")));
        assert!(cancellation(Some("CANCELLED")).is_ok());
        assert!(cancellation(Some("WAITING_FOR_PAYMENT")).is_err());
        assert!(not_open(BunqMeTabStatus::Cancelled).is_some_and(|m| m.contains("CANCELLED")));
        assert!(not_open(BunqMeTabStatus::WaitingForPayment).is_none());
    }

    #[test]
    fn a_tab_is_paid_by_a_stranger_or_an_account_here_not_both() {
        assert_eq!(
            payer(None, None, Some(7)).ok(),
            Some(TabPayer::Account(MonetaryAccountId(7)))
        );
        assert!(matches!(
            payer(None, Some("Friend"), None),
            Ok(TabPayer::Stranger { name, .. }) if name == "Friend"
        ));
        assert!(payer(Some("NL20INGB0001234567"), None, Some(7))
            .is_err_and(|e| e.to_string().contains("not both")));
        assert!(payer(None, Some("Friend"), Some(7)).is_err());
    }
}
