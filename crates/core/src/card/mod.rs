//! Cards (bunq `CardDebit` / `CardCredit`): the record, its enums, and the rules for ordering
//! and changing one (see [`rules`]); the secrets a card carries (PAN, CVC2, PIN: see
//! [`secrets`]); card transactions (`MasterCardAction`, see [`action`]) and 3DS challenges.

pub mod action;
pub mod rules;
pub mod secrets;

use std::time::Duration;

use crate::{
    model::{CardId, Cvc2Id, MonetaryAccountId, UserId},
    provision::enums::wire_enum,
    time::Timestamp,
};

wire_enum! {
    /// Which of bunq's card objects a card is.
    CardKind {
        Debit = "DEBIT",
        Credit = "CREDIT",
    }
}

impl CardKind {
    /// The bunq object type the card is rendered as.
    pub fn object_type(self) -> &'static str {
        match self {
            CardKind::Debit => "CardDebit",
            CardKind::Credit => "CardCredit",
        }
    }
}

wire_enum! {
    /// `Card.status`.
    CardStatus {
        Active = "ACTIVE",
        Deactivated = "DEACTIVATED",
        Lost = "LOST",
        Stolen = "STOLEN",
        Cancelled = "CANCELLED",
        Expired = "EXPIRED",
        PinTriesExceeded = "PIN_TRIES_EXCEEDED",
    }
}

impl CardStatus {
    /// A card in this status can never be used or changed again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CardStatus::Lost | CardStatus::Stolen | CardStatus::Cancelled | CardStatus::Expired
        )
    }
}

wire_enum! {
    /// `cancellation_reason` of a card that is cancelled.
    CancellationReason {
        Fraud = "FRAUD",
        Lost = "LOST",
        Stolen = "STOLEN",
        Other = "OTHER",
    }
}

wire_enum! {
    /// `Card.order_status`: a physical card's way to the user, or a virtual one's.
    OrderStatus {
        NewCardRequestReceived = "NEW_CARD_REQUEST_RECEIVED",
        SentForProduction = "SENT_FOR_PRODUCTION",
        AcceptedForProduction = "ACCEPTED_FOR_PRODUCTION",
        DeliveredToCustomer = "DELIVERED_TO_CUSTOMER",
        VirtualDelivery = "VIRTUAL_DELIVERY",
    }
}

/// How long each step of a physical card's order takes, on the virtual clock.
pub const ORDER_STEP: Duration = Duration::from_secs(24 * 3600);

impl OrderStatus {
    /// The order's next step, `None` once the card is with the user (or virtual).
    pub fn next(self) -> Option<OrderStatus> {
        match self {
            OrderStatus::NewCardRequestReceived => Some(OrderStatus::SentForProduction),
            OrderStatus::SentForProduction => Some(OrderStatus::AcceptedForProduction),
            OrderStatus::AcceptedForProduction => Some(OrderStatus::DeliveredToCustomer),
            OrderStatus::DeliveredToCustomer | OrderStatus::VirtualDelivery => None,
        }
    }
}

/// A card as stored. Its PIN is only ever a hash (`pin_set` says whether there is one) and its
/// PAN is revealed only by `primary-account-number`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: CardId,
    pub user_id: UserId,
    pub kind: CardKind,
    pub public_uuid: String,
    pub product_type: String,
    pub product_sub_type: String,
    pub first_line: Option<String>,
    pub second_line: String,
    pub name_on_card: String,
    pub preferred_name_on_card: Option<String>,
    pub status: CardStatus,
    pub cancellation_reason: Option<CancellationReason>,
    pub order_status: OrderStatus,
    pub country: String,
    pub monetary_account_id: MonetaryAccountId,
    pub monetary_account_id_fallback: Option<MonetaryAccountId>,
    pub currency: String,
    pub card_limit_minor: i64,
    pub card_limit_atm_minor: i64,
    pub pin_set: bool,
    /// The PAN's last four digits (shown in `primary_account_numbers`).
    pub pan_last_four: String,
    /// `YYYY-MM-DD`.
    pub expiry_date: String,
    pub expected_delivery_date: Option<String>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A validated card to order (the store adds the PAN, the ids and the dates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCard {
    pub kind: CardKind,
    pub product_type: String,
    pub product_sub_type: String,
    pub first_line: Option<String>,
    pub second_line: String,
    pub name_on_card: Option<String>,
    pub preferred_name_on_card: Option<String>,
    pub country: String,
    pub order_status: OrderStatus,
    /// The account the card pays from (from `pin_code_assignment`); the user's first ACTIVE
    /// account when none is named.
    pub monetary_account_id: Option<MonetaryAccountId>,
    pub monetary_account_id_fallback: Option<MonetaryAccountId>,
    /// The PIN's hash, when `pin_code_assignment` set one.
    pub pin_hash: Option<String>,
}

/// A validated change to a card; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardUpdate {
    pub status: Option<CardStatus>,
    pub cancellation_reason: Option<CancellationReason>,
    pub card_limit_minor: Option<(i64, String)>,
    pub card_limit_atm_minor: Option<(i64, String)>,
    /// The new PIN's hash (never the PIN itself).
    pub pin_hash: Option<String>,
    pub monetary_account_id_fallback: Option<MonetaryAccountId>,
}

/// The default daily card limit (1,000.00) and ATM limit (250.00), as bunq's examples.
pub const DEFAULT_CARD_LIMIT_MINOR: i64 = 100_000;
pub const DEFAULT_CARD_LIMIT_ATM_MINOR: i64 = 25_000;
/// The highest card limit (10,000.00), the accounts' highest daily limit.
pub const MAX_CARD_LIMIT_MINOR: i64 = 1_000_000;
/// Years a new card is valid.
pub const CARD_VALID_YEARS: i32 = 5;

wire_enum! {
    /// `CardGeneratedCvc2.type`.
    Cvc2Type {
        Static = "STATIC",
        Generated = "GENERATED",
    }
}

wire_enum! {
    /// `CardGeneratedCvc2.status`.
    Cvc2Status {
        Available = "AVAILABLE",
        Used = "USED",
        Expired = "EXPIRED",
        Blocked = "BLOCKED",
    }
}

/// How long a generated CVC2 is valid, on the virtual clock.
pub const CVC2_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// A CVC2 as stored (the code itself is revealed only to the card's owner).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cvc2 {
    pub id: Cvc2Id,
    pub card_id: CardId,
    pub kind: Cvc2Type,
    pub cvc2: String,
    pub status: Cvc2Status,
    pub expiry_time: Option<Timestamp>,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// `YYYY-MM-DD` of `t` (UTC), `years` later.
pub fn date_after_years(t: Timestamp, years: i32) -> String {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp_micros(t.micros())
        .unwrap_or_default()
        .date_naive();
    let later = date
        .with_year(date.year() + years)
        // 29 February: the day before in a year that has none.
        .or_else(|| date.pred_opt().and_then(|d| d.with_year(d.year() + years)))
        .unwrap_or(date);
    later.format("%Y-%m-%d").to_string()
}

/// `YYYY-MM-DD` of `t + d` (UTC).
pub fn date_of(t: Timestamp, d: Duration) -> String {
    chrono::DateTime::from_timestamp_micros(t.plus(d).micros())
        .unwrap_or_default()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}
