//! What a client may send when opening or changing an account, and what a change may do to
//! the account it finds. Requests arrive as plain optional strings (the wire crate parses
//! JSON, this decides); every refusal names the field and says what is expected.

use super::{
    amount::{parse_currency, parse_minor},
    AccountKind, AccountStatus, AccountSubStatus, AccountUpdate, MonetaryAccount, NewAccount,
    BANK_CURRENCY, DEFAULT_DAILY_LIMIT_MINOR, DEFAULT_DESCRIPTION, EXTERNAL_SERVICE,
    MAX_DAILY_LIMIT_MINOR,
};
use crate::{
    text::{self, MAX_DESCRIPTION},
    DomainError,
};

/// An amount object `{value, currency}` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MoneyInput {
    pub value: Option<String>,
    pub currency: Option<String>,
}

/// The fields of a `POST` or `PUT` body for either account type, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountInput {
    pub currency: Option<String>,
    pub description: Option<String>,
    pub daily_limit: Option<MoneyInput>,
    pub display_name: Option<String>,
    pub service: Option<String>,
    pub status: Option<String>,
    pub sub_status: Option<String>,
    pub reason: Option<String>,
    pub reason_description: Option<String>,
    pub avatar_uuid: Option<String>,
}

/// Validates a new account of `kind`; `owner_name` is the display name when none is sent.
pub fn new_account(
    kind: AccountKind,
    input: &AccountInput,
    owner_name: &str,
) -> Result<NewAccount, DomainError> {
    let currency = parse_currency(
        "currency",
        input
            .currency
            .as_deref()
            .ok_or_else(|| DomainError::invalid("currency is required."))?,
    )?;
    let service = match kind {
        AccountKind::Bank if currency != BANK_CURRENCY => {
            return Err(DomainError::invalid(format!(
                "A MonetaryAccountBank holds EUR only; for {currency} open a MonetaryAccountExternal with service CURRENCY_CLOUD."
            )))
        }
        AccountKind::Bank => None,
        AccountKind::External => {
            match input.service.as_deref() {
                Some(EXTERNAL_SERVICE) => {}
                Some(other) => {
                    return Err(DomainError::invalid(format!(
                        "service must be CURRENCY_CLOUD; got {}.",
                        text::quoted(other)
                    )))
                }
                None => return Err(DomainError::invalid("service is required (CURRENCY_CLOUD).")),
            }
            if currency == BANK_CURRENCY {
                return Err(DomainError::invalid(
                    "A MonetaryAccountExternal holds a currency other than EUR; EUR accounts are MonetaryAccountBank.",
                ));
            }
            Some(EXTERNAL_SERVICE.to_owned())
        }
    };
    let description = match &input.description {
        Some(d) => text::required("description", Some(d), MAX_DESCRIPTION)?,
        None => DEFAULT_DESCRIPTION.to_owned(),
    };
    let display_name = match &input.display_name {
        Some(d) => text::required("display_name", Some(d), MAX_DESCRIPTION)?,
        None => owner_name.to_owned(),
    };
    let daily_limit_minor = match &input.daily_limit {
        Some(limit) => {
            let (minor, limit_currency) = daily_limit(limit)?;
            same_currency(&limit_currency, &currency)?;
            minor
        }
        None => DEFAULT_DAILY_LIMIT_MINOR,
    };
    Ok(NewAccount {
        kind,
        currency,
        description,
        display_name,
        daily_limit_minor,
        service,
        avatar_uuid: avatar_uuid(input)?,
    })
}

/// Validates a change to an account of `kind`, before the account itself is read.
pub fn update(kind: AccountKind, input: &AccountInput) -> Result<AccountUpdate, DomainError> {
    let status = input
        .status
        .as_deref()
        .map(|s| {
            let allowed: &[AccountStatus] = match kind {
                AccountKind::Bank => &[
                    AccountStatus::Active,
                    AccountStatus::Blocked,
                    AccountStatus::Cancelled,
                    AccountStatus::Frozen,
                ],
                AccountKind::External => &[
                    AccountStatus::Active,
                    AccountStatus::Cancelled,
                    AccountStatus::PendingReopen,
                ],
            };
            one_of(
                "status",
                s,
                allowed,
                AccountStatus::parse,
                AccountStatus::as_str,
            )
        })
        .transpose()?;
    let sub_status = input
        .sub_status
        .as_deref()
        .map(|s| {
            let allowed = [
                AccountSubStatus::None,
                AccountSubStatus::RedemptionVoluntary,
            ];
            one_of(
                "sub_status",
                s,
                &allowed,
                AccountSubStatus::parse,
                AccountSubStatus::as_str,
            )
        })
        .transpose()?;
    let reason = match input.reason.as_deref() {
        None => None,
        Some("OTHER") => Some("OTHER".to_owned()),
        Some(other) => {
            return Err(DomainError::invalid(format!(
                "reason must be OTHER; got {}.",
                text::quoted(other)
            )))
        }
    };
    let reason_description = input
        .reason_description
        .as_deref()
        .map(|d| text::required("reason_description", Some(d), MAX_DESCRIPTION))
        .transpose()?;
    let description = input
        .description
        .as_deref()
        .map(|d| text::required("description", Some(d), MAX_DESCRIPTION))
        .transpose()?;
    let daily_limit = input.daily_limit.as_ref().map(daily_limit).transpose()?;
    let currency = input
        .currency
        .as_deref()
        .map(|c| parse_currency("currency", c))
        .transpose()?;
    let update = AccountUpdate {
        description,
        daily_limit,
        status,
        sub_status,
        reason,
        reason_description,
        currency,
        avatar_uuid: avatar_uuid(input)?,
    };
    if update == AccountUpdate::default() {
        return Err(DomainError::invalid(
            "Nothing to change: send description, daily_limit, status, sub_status, reason, reason_description or avatar_uuid.",
        ));
    }
    Ok(update)
}

fn avatar_uuid(input: &AccountInput) -> Result<Option<String>, DomainError> {
    input
        .avatar_uuid
        .as_deref()
        .map(crate::public_attachment::parse_avatar_uuid)
        .transpose()
}

/// The account after `update`, or why the account as it is now refuses it. Runs inside the
/// write's transaction, on the account as locked there.
pub fn apply(
    account: &MonetaryAccount,
    update: &AccountUpdate,
) -> Result<MonetaryAccount, DomainError> {
    if account.status == AccountStatus::Cancelled {
        return Err(DomainError::invalid(
            "This monetary account is CANCELLED; a cancelled account can no longer be changed.",
        ));
    }
    if let Some(currency) = &update.currency {
        if *currency != account.currency {
            return Err(DomainError::invalid(format!(
                "The currency of an account cannot be changed; this account holds {}.",
                account.currency
            )));
        }
    }
    let mut next = account.clone();
    if let Some((minor, currency)) = &update.daily_limit {
        same_currency(currency, &account.currency)?;
        next.daily_limit_minor = *minor;
    }
    if let Some(status) = update.status {
        if status == AccountStatus::Cancelled && account.balance_minor != 0 {
            return Err(DomainError::invalid(format!(
                "This monetary account still holds {} {}; only an account with a zero balance can be closed.",
                super::amount::format_minor(account.balance_minor),
                account.currency
            )));
        }
        next.status = status;
    }
    if let Some(description) = &update.description {
        next.description.clone_from(description);
    }
    if let Some(sub_status) = update.sub_status {
        next.sub_status = sub_status;
    }
    if update.reason.is_some() {
        next.reason.clone_from(&update.reason);
    }
    if update.reason_description.is_some() {
        next.reason_description
            .clone_from(&update.reason_description);
    }
    if update.avatar_uuid.is_some() {
        next.avatar_uuid.clone_from(&update.avatar_uuid);
    }
    Ok(next)
}

fn daily_limit(limit: &MoneyInput) -> Result<(i64, String), DomainError> {
    let value = limit
        .value
        .as_deref()
        .ok_or_else(|| DomainError::invalid("daily_limit.value is required."))?;
    let currency = limit
        .currency
        .as_deref()
        .ok_or_else(|| DomainError::invalid("daily_limit.currency is required."))?;
    let currency = parse_currency("daily_limit.currency", currency)?;
    let minor = parse_minor("daily_limit.value", value)?;
    if minor == 0 || minor > MAX_DAILY_LIMIT_MINOR {
        return Err(DomainError::invalid(format!(
            "daily_limit.value must be more than 0.00 and at most 10000.00; got {}.",
            text::quoted(value)
        )));
    }
    Ok((minor, currency))
}

fn same_currency(given: &str, account: &str) -> Result<(), DomainError> {
    if given == account {
        Ok(())
    } else {
        Err(DomainError::invalid(format!(
            "daily_limit.currency must be the account's currency, {account}; got {given}."
        )))
    }
}

fn one_of<T: Copy + PartialEq>(
    field: &str,
    value: &str,
    allowed: &[T],
    parse: impl Fn(&str) -> Option<T>,
    name: impl Fn(T) -> &'static str,
) -> Result<T, DomainError> {
    match parse(value) {
        Some(parsed) if allowed.contains(&parsed) => Ok(parsed),
        _ => Err(DomainError::invalid(format!(
            "{field} must be one of {}; got {}.",
            allowed
                .iter()
                .map(|v| name(*v))
                .collect::<Vec<_>>()
                .join(", "),
            text::quoted(value)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{account::MonetaryAccountId, model::UserId, time::Timestamp};

    fn input(currency: &str) -> AccountInput {
        AccountInput {
            currency: Some(currency.into()),
            ..AccountInput::default()
        }
    }

    fn limit(value: &str, currency: &str) -> Option<MoneyInput> {
        Some(MoneyInput {
            value: Some(value.into()),
            currency: Some(currency.into()),
        })
    }

    fn message<T: std::fmt::Debug>(result: Result<T, DomainError>) -> String {
        match result {
            Err(e) => e.to_string(),
            Ok(v) => panic!("accepted: {v:?}"),
        }
    }

    #[test]
    fn a_bank_account_is_eur_with_defaults() {
        let new = new_account(AccountKind::Bank, &input("EUR"), "Eva").ok();
        let new = new.unwrap_or_else(|| panic!("refused"));
        assert_eq!(new.description, "bunq account");
        assert_eq!(
            (new.display_name.as_str(), new.daily_limit_minor),
            ("Eva", 100_000)
        );
        assert_eq!(new.service, None);
        assert!(message(new_account(AccountKind::Bank, &input("USD"), "Eva")).contains("EUR only"));
        assert!(message(new_account(AccountKind::Bank, &input("eur"), "Eva")).contains("ISO 4217"));
        let none = AccountInput::default();
        assert!(
            message(new_account(AccountKind::Bank, &none, "Eva")).contains("currency is required")
        );
    }

    #[test]
    fn an_external_account_needs_currency_cloud_and_not_eur() {
        let mut body = input("GBP");
        assert!(message(new_account(AccountKind::External, &body, "E")).contains("service"));
        body.service = Some("WISE".into());
        assert!(message(new_account(AccountKind::External, &body, "E")).contains("CURRENCY_CLOUD"));
        body.service = Some("CURRENCY_CLOUD".into());
        let ok = new_account(AccountKind::External, &body, "E").ok();
        assert_eq!(
            ok.and_then(|a| a.service).as_deref(),
            Some("CURRENCY_CLOUD")
        );
        body.currency = Some("EUR".into());
        assert!(message(new_account(AccountKind::External, &body, "E")).contains("other than EUR"));
    }

    #[test]
    fn daily_limits_are_bounded_two_decimal_amounts_in_the_account_currency() {
        let mut body = input("EUR");
        for (value, currency, expected) in [
            ("10000.01", "EUR", "at most 10000.00"),
            ("0.00", "EUR", "more than 0.00"),
            ("100.000", "EUR", "exactly two decimals"),
            ("1e3", "EUR", "exactly two decimals"),
            ("-1.00", "EUR", "exactly two decimals"),
            ("100.00", "USD", "account's currency"),
        ] {
            body.daily_limit = limit(value, currency);
            let got = message(new_account(AccountKind::Bank, &body, "E"));
            assert!(got.contains(expected), "{value} {currency}: {got}");
        }
        body.daily_limit = limit("10000.00", "EUR");
        let ok = new_account(AccountKind::Bank, &body, "E").ok();
        assert_eq!(ok.map(|a| a.daily_limit_minor), Some(1_000_000));
    }

    #[test]
    fn free_text_is_checked() {
        let mut body = input("EUR");
        body.description = Some("a\u{202E}b".into());
        assert!(message(new_account(AccountKind::Bank, &body, "E")).contains("control character"));
        body.description = Some("x".repeat(256));
        assert!(message(new_account(AccountKind::Bank, &body, "E")).contains("255"));
    }

    fn account(status: AccountStatus, balance: i64) -> MonetaryAccount {
        MonetaryAccount {
            id: MonetaryAccountId(1),
            user_id: UserId(1),
            kind: AccountKind::Bank,
            public_uuid: "u".into(),
            currency: "EUR".into(),
            description: "d".into(),
            display_name: "n".into(),
            daily_limit_minor: 100_000,
            balance_minor: balance,
            iban: "NL00BUNQ0000000000".into(),
            status,
            sub_status: AccountSubStatus::None,
            reason: None,
            reason_description: None,
            service: None,
            avatar_uuid: None,
            created: Timestamp(0),
            updated: Timestamp(0),
        }
    }

    #[test]
    fn updates_follow_the_account_state() {
        let close = update(
            AccountKind::Bank,
            &AccountInput {
                status: Some("CANCELLED".into()),
                reason: Some("OTHER".into()),
                reason_description: Some("Moving".into()),
                ..AccountInput::default()
            },
        );
        let close = close.unwrap_or_else(|e| panic!("{e}"));
        let closed = apply(&account(AccountStatus::Active, 0), &close);
        assert_eq!(
            closed.ok().map(|a| a.status),
            Some(AccountStatus::Cancelled)
        );
        assert!(message(apply(&account(AccountStatus::Active, 1), &close)).contains("0.01 EUR"));
        let rename = AccountUpdate {
            description: Some("x".into()),
            ..AccountUpdate::default()
        };
        assert!(
            message(apply(&account(AccountStatus::Cancelled, 0), &rename)).contains("CANCELLED")
        );
        let bad = AccountInput {
            status: Some("CLOSED".into()),
            ..AccountInput::default()
        };
        assert!(message(update(AccountKind::Bank, &bad)).contains("status must be one of"));
        let external = AccountInput {
            status: Some("FROZEN".into()),
            ..AccountInput::default()
        };
        assert!(update(AccountKind::External, &external).is_err());
        assert!(message(update(AccountKind::Bank, &AccountInput::default()))
            .contains("Nothing to change"));
    }
}
