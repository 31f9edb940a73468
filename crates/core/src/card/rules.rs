//! What a client may send when ordering or changing a card, and what a change may do to the
//! card it finds. Requests arrive as plain optional values (the wire crate parses JSON, this
//! decides); every refusal names the field and says what is expected.

use super::{
    secrets::{hash_pin, parse_pin},
    CancellationReason, Card, CardKind, CardStatus, CardUpdate, NewCard, OrderStatus,
    MAX_CARD_LIMIT_MINOR,
};
use crate::{
    account::{
        amount::{parse_currency, parse_minor},
        rules::MoneyInput,
    },
    model::MonetaryAccountId,
    text, DomainError,
};

/// The most characters bunq prints on a card line.
pub const MAX_CARD_LINE: usize = 17;
/// The longest name on a card.
pub const MAX_NAME_ON_CARD: usize = 26;
/// Credit cards come in these products only.
pub const CREDIT_PRODUCT_TYPES: &[&str] = &[
    "MASTERCARD_CREDIT_CO_BRANDED",
    "MASTERCARD_BUSINESS_CO_BRANDED",
];

/// The one MAESTRO product bunq's SDKs order.
pub const MAESTRO_DEBIT: &str = "MAESTRO_DEBIT";

/// A card's `type` as bunq renders it, from its product: `MAESTRO` for [`MAESTRO_DEBIT`],
/// `MASTERCARD` for every other product.
pub fn card_type_of(product_type: &str) -> &'static str {
    if product_type == MAESTRO_DEBIT {
        "MAESTRO"
    } else {
        "MASTERCARD"
    }
}

/// The names a user's card may carry (bunq's `card-name`: "Name Surname, N. Surname, N
/// Surname or Surname"), each at most [`MAX_NAME_ON_CARD`] characters, in upper case as
/// printed. A company (no first name) has its name only.
pub fn possible_card_names(first: &str, last: &str) -> Vec<String> {
    let first = first.trim();
    let last = last.trim();
    let mut names = Vec::new();
    if let Some(initial) = first.chars().next() {
        names.push(format!("{first} {last}"));
        names.push(format!("{initial}. {last}"));
        names.push(format!("{initial} {last}"));
    }
    names.push(last.to_owned());
    names
        .into_iter()
        .map(|n| n.to_uppercase())
        .filter(|n| !n.is_empty() && n.chars().count() <= MAX_NAME_ON_CARD)
        .collect()
}

/// One `pin_code_assignment` entry as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PinAssignmentInput {
    pub kind: Option<String>,
    pub pin_code: Option<String>,
    pub monetary_account_id: Option<i64>,
}

/// A `POST card-debit|card-credit` or `PUT card/{id}` body as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardInput {
    pub first_line: Option<String>,
    pub second_line: Option<String>,
    pub name_on_card: Option<String>,
    pub preferred_name_on_card: Option<String>,
    pub kind: Option<String>,
    pub product_type: Option<String>,
    pub product_sub_type: Option<String>,
    pub pin_code_assignment: Vec<PinAssignmentInput>,
    pub monetary_account_id_fallback: Option<i64>,
    pub country: Option<String>,
    pub order_status: Option<String>,
    pub pin_code: Option<String>,
    pub status: Option<String>,
    pub cancellation_reason: Option<String>,
    pub card_limit: Option<MoneyInput>,
    pub card_limit_atm: Option<MoneyInput>,
}

fn line(field: &str, value: Option<&str>) -> Result<String, DomainError> {
    text::required(field, value, MAX_CARD_LINE)
}

fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, DomainError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => text::required(field, Some(v), max).map(Some),
    }
}

fn account_id(field: &str, id: i64) -> Result<MonetaryAccountId, DomainError> {
    if id > 0 {
        Ok(MonetaryAccountId(id))
    } else {
        Err(DomainError::invalid(format!(
            "{field} must be the id of one of the user's monetary accounts."
        )))
    }
}

fn country(value: Option<&str>) -> Result<String, DomainError> {
    match value {
        None => Ok("NL".into()),
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => Ok(c.to_owned()),
        Some(c) => Err(DomainError::invalid(format!(
            "country must be an ISO 3166-1 alpha-2 code such as \"NL\"; got {}.",
            text::quoted(c)
        ))),
    }
}

/// Validates a card order of `kind`.
pub fn new_card(kind: CardKind, input: &CardInput) -> Result<NewCard, DomainError> {
    let card_type = match input.kind.as_deref() {
        Some(t @ ("MASTERCARD" | "MAESTRO")) => t,
        Some(other) => {
            return Err(DomainError::invalid(format!(
                "type must be MASTERCARD or MAESTRO; got {}.",
                text::quoted(other)
            )))
        }
        None => {
            return Err(DomainError::invalid(
                "type is required (MASTERCARD or MAESTRO).",
            ))
        }
    };
    let second_line = line("second_line", input.second_line.as_deref())?;
    let first_line = optional("first_line", input.first_line.as_deref(), MAX_CARD_LINE)?;
    let product_type = text::required("product_type", input.product_type.as_deref(), 64)?;
    if kind == CardKind::Credit && !CREDIT_PRODUCT_TYPES.contains(&product_type.as_str()) {
        return Err(DomainError::invalid(format!(
            "product_type of a credit card must be one of {}; got {}.",
            CREDIT_PRODUCT_TYPES.join(", "),
            text::quoted(&product_type)
        )));
    }
    // A card's type follows from its product (see `card_type`), so the two must agree.
    if card_type != card_type_of(&product_type) {
        return Err(DomainError::invalid(format!(
            "product_type {} is not a {card_type} card; a MAESTRO card is a {MAESTRO_DEBIT} \
             (debit) and a MASTERCARD any other product.",
            text::quoted(&product_type)
        )));
    }
    let product_sub_type = optional("product_sub_type", input.product_sub_type.as_deref(), 64)?
        .unwrap_or_else(|| "NONE".into());
    let order_status = match input.order_status.as_deref() {
        None => OrderStatus::NewCardRequestReceived,
        Some(s) => match OrderStatus::parse(s) {
            Some(o @ (OrderStatus::NewCardRequestReceived | OrderStatus::VirtualDelivery)) => o,
            _ => {
                return Err(DomainError::invalid(format!(
                    "order_status must be NEW_CARD_REQUEST_RECEIVED or VIRTUAL_DELIVERY; got {}.",
                    text::quoted(s)
                )))
            }
        },
    };
    let mut monetary_account_id = None;
    let mut pin_hash = None;
    for assignment in &input.pin_code_assignment {
        if let Some(id) = assignment.monetary_account_id {
            monetary_account_id
                .get_or_insert(account_id("pin_code_assignment.monetary_account_id", id)?);
        }
        if let Some(pin) = &assignment.pin_code {
            pin_hash.get_or_insert(hash_pin(&parse_pin(pin)?));
        }
    }
    Ok(NewCard {
        kind,
        product_type,
        product_sub_type,
        first_line,
        second_line,
        name_on_card: optional(
            "name_on_card",
            input.name_on_card.as_deref(),
            MAX_NAME_ON_CARD,
        )?,
        preferred_name_on_card: optional(
            "preferred_name_on_card",
            input.preferred_name_on_card.as_deref(),
            MAX_NAME_ON_CARD,
        )?,
        country: country(input.country.as_deref())?,
        order_status,
        monetary_account_id,
        monetary_account_id_fallback: input
            .monetary_account_id_fallback
            .map(|id| account_id("monetary_account_id_fallback", id))
            .transpose()?,
        pin_hash,
    })
}

fn limit(field: &str, money: &MoneyInput) -> Result<(i64, String), DomainError> {
    let value = money
        .value
        .as_deref()
        .ok_or_else(|| DomainError::invalid(format!("{field}.value is required.")))?;
    let currency = money
        .currency
        .as_deref()
        .ok_or_else(|| DomainError::invalid(format!("{field}.currency is required.")))?;
    let currency = parse_currency(&format!("{field}.currency"), currency)?;
    let minor = parse_minor(&format!("{field}.value"), value)?;
    if minor > MAX_CARD_LIMIT_MINOR {
        return Err(DomainError::invalid(format!(
            "{field}.value must be at most 10000.00; got {}.",
            text::quoted(value)
        )));
    }
    Ok((minor, currency))
}

/// The statuses a client may set.
const SETTABLE: &[CardStatus] = &[
    CardStatus::Active,
    CardStatus::Deactivated,
    CardStatus::Lost,
    CardStatus::Stolen,
    CardStatus::Cancelled,
];

/// Validates a `PUT card/{id}` body.
pub fn update(input: &CardInput) -> Result<CardUpdate, DomainError> {
    let status = input
        .status
        .as_deref()
        .map(|s| match CardStatus::parse(s) {
            Some(status) if SETTABLE.contains(&status) => Ok(status),
            _ => Err(DomainError::invalid(format!(
                "status must be one of ACTIVE, DEACTIVATED, LOST, STOLEN, CANCELLED; got {}.",
                text::quoted(s)
            ))),
        })
        .transpose()?;
    let cancellation_reason = input
        .cancellation_reason
        .as_deref()
        .map(|r| {
            CancellationReason::parse(r).ok_or_else(|| {
                DomainError::invalid(format!(
                    "cancellation_reason must be one of FRAUD, LOST, STOLEN, OTHER; got {}.",
                    text::quoted(r)
                ))
            })
        })
        .transpose()?;
    match (status, cancellation_reason) {
        (Some(CardStatus::Cancelled), None) => {
            return Err(DomainError::invalid(
                "cancellation_reason is required to cancel a card (FRAUD, LOST, STOLEN or OTHER).",
            ))
        }
        (Some(CardStatus::Cancelled), Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(DomainError::invalid(
                "cancellation_reason goes only with status CANCELLED.",
            ))
        }
    }
    let change = CardUpdate {
        status,
        cancellation_reason,
        card_limit_minor: input
            .card_limit
            .as_ref()
            .map(|l| limit("card_limit", l))
            .transpose()?,
        card_limit_atm_minor: input
            .card_limit_atm
            .as_ref()
            .map(|l| limit("card_limit_atm", l))
            .transpose()?,
        pin_hash: input
            .pin_code
            .as_deref()
            .map(|p| parse_pin(p).map(|p| hash_pin(&p)))
            .transpose()?,
        monetary_account_id_fallback: input
            .monetary_account_id_fallback
            .map(|id| account_id("monetary_account_id_fallback", id))
            .transpose()?,
    };
    if change == CardUpdate::default() {
        return Err(DomainError::invalid(
            "Nothing to change: send status, card_limit, card_limit_atm, pin_code or monetary_account_id_fallback.",
        ));
    }
    Ok(change)
}

/// Applies `change` to `card` as it is now; refuses what the card's state does not allow.
/// The PIN hash is the caller's to store (a `Card` never carries it).
pub fn apply(card: &Card, change: &CardUpdate) -> Result<Card, DomainError> {
    if card.status.is_final() {
        return Err(DomainError::invalid(format!(
            "This card is {}; it can no longer be changed.",
            card.status
        )));
    }
    let mut next = card.clone();
    if let Some(status) = change.status {
        next.status = status;
        next.cancellation_reason = change.cancellation_reason;
    }
    for (field, value, target) in [
        (
            "card_limit",
            &change.card_limit_minor,
            &mut next.card_limit_minor,
        ),
        (
            "card_limit_atm",
            &change.card_limit_atm_minor,
            &mut next.card_limit_atm_minor,
        ),
    ] {
        if let Some((minor, currency)) = value {
            if *currency != card.currency {
                return Err(DomainError::invalid(format!(
                    "{field}.currency must be the card's currency, {}; got {currency}.",
                    card.currency
                )));
            }
            *target = *minor;
        }
    }
    if let Some(fallback) = change.monetary_account_id_fallback {
        next.monetary_account_id_fallback = Some(fallback);
    }
    if change.pin_hash.is_some() {
        next.pin_set = true;
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> CardInput {
        CardInput {
            second_line: Some("Groceries".into()),
            kind: Some("MASTERCARD".into()),
            product_type: Some("MASTERCARD_DEBIT".into()),
            ..CardInput::default()
        }
    }

    #[test]
    fn maestro_debit_cards_are_ordered_as_maestro() {
        let maestro = CardInput {
            kind: Some("MAESTRO".into()),
            product_type: Some(MAESTRO_DEBIT.into()),
            ..order()
        };
        let card = new_card(CardKind::Debit, &maestro).ok();
        assert_eq!(card.map(|c| card_type_of(&c.product_type)), Some("MAESTRO"));
        assert_eq!(card_type_of("MASTERCARD_DEBIT"), "MASTERCARD");
        let refused = |kind: CardKind, input: &CardInput| {
            new_card(kind, input)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        // MAESTRO_DEBIT is no credit product: a MAESTRO card is a debit card.
        assert!(refused(CardKind::Credit, &maestro).contains("credit card must be one of"));
        let mismatched = CardInput {
            kind: Some("MASTERCARD".into()),
            ..maestro.clone()
        };
        assert!(refused(CardKind::Debit, &mismatched).contains("is not a MASTERCARD card"));
    }

    #[test]
    fn card_names_are_the_legal_name_shortened_as_bunq_allows() {
        assert_eq!(
            possible_card_names("Anna", "de Vries"),
            ["ANNA DE VRIES", "A. DE VRIES", "A DE VRIES", "DE VRIES"]
        );
        assert_eq!(
            possible_card_names("", "Tulip Labs B.V."),
            ["TULIP LABS B.V."]
        );
        let long = possible_card_names("Maximiliaan", "van der Westhuizen-Boer");
        assert!(long.iter().all(|n| n.chars().count() <= MAX_NAME_ON_CARD));
        assert!(!long.contains(&"MAXIMILIAAN VAN DER WESTHUIZEN-BOER".to_owned()));
    }

    #[test]
    fn orders_need_type_second_line_and_product() {
        let card = new_card(CardKind::Debit, &order()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(card.order_status, OrderStatus::NewCardRequestReceived);
        assert_eq!(card.country, "NL");
        let mut long = order();
        long.second_line = Some("x".repeat(18));
        assert!(new_card(CardKind::Debit, &long).is_err());
        let mut visa = order();
        visa.kind = Some("VISA".into());
        assert!(new_card(CardKind::Debit, &visa).is_err());
        assert!(
            new_card(CardKind::Credit, &order()).is_err(),
            "credit products only"
        );
        let mut delivered = order();
        delivered.order_status = Some("DELIVERED_TO_CUSTOMER".into());
        assert!(new_card(CardKind::Debit, &delivered).is_err());
    }

    #[test]
    fn cancelling_needs_a_reason_and_only_cancelling_takes_one() {
        let cancel = |reason: Option<&str>, status: &str| {
            update(&CardInput {
                status: Some(status.into()),
                cancellation_reason: reason.map(Into::into),
                ..CardInput::default()
            })
        };
        assert!(cancel(None, "CANCELLED").is_err());
        assert!(cancel(Some("FRAUD"), "CANCELLED").is_ok());
        assert!(cancel(Some("FRAUD"), "ACTIVE").is_err());
        assert!(cancel(None, "EXPIRED").is_err());
        assert!(update(&CardInput::default()).is_err());
    }
}
