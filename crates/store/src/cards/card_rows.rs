//! Cards as stored: the row and its conversion, the card locked for a change, a card's
//! refusal, and its `CARD_UPDATED` webhook (queued in the transaction of every change).

use provisio_core::{
    card::{CancellationReason, Card, CardKind, CardStatus, OrderStatus},
    model::{CardId, MonetaryAccountId, UserId},
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::cards::card_item;
use sqlx::AnyConnection;

use crate::{
    frozen,
    rows::{corrupt, parse},
};

pub(super) const CARD_COLUMNS: &str = "id, user_id, kind, public_uuid, product_type, \
     product_sub_type, first_line, second_line, name_on_card, preferred_name_on_card, status, \
     cancellation_reason, order_status, country, monetary_account_id, \
     monetary_account_id_fallback, currency, card_limit_minor, card_limit_atm_minor, pin_hash, \
     pan_last_four, expiry_date, expected_delivery_date, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct CardRow {
    id: i64,
    user_id: i64,
    kind: String,
    public_uuid: String,
    product_type: String,
    product_sub_type: String,
    first_line: Option<String>,
    second_line: String,
    name_on_card: String,
    preferred_name_on_card: Option<String>,
    status: String,
    cancellation_reason: Option<String>,
    order_status: String,
    country: String,
    monetary_account_id: i64,
    monetary_account_id_fallback: Option<i64>,
    currency: String,
    card_limit_minor: i64,
    card_limit_atm_minor: i64,
    pin_hash: Option<String>,
    /// The PAN itself is sealed (`sealing`) and read only by `card_pan`.
    pan_last_four: Option<String>,
    expiry_date: String,
    expected_delivery_date: Option<String>,
    created: i64,
    updated: i64,
}

impl TryFrom<CardRow> for Card {
    type Error = StoreError;

    fn try_from(r: CardRow) -> Result<Self, StoreError> {
        Ok(Card {
            id: CardId(r.id),
            user_id: UserId(r.user_id),
            kind: parse(CardKind::parse, &r.kind)?,
            public_uuid: r.public_uuid,
            product_type: r.product_type,
            product_sub_type: r.product_sub_type,
            first_line: r.first_line,
            second_line: r.second_line,
            name_on_card: r.name_on_card,
            preferred_name_on_card: r.preferred_name_on_card,
            status: parse(CardStatus::parse, &r.status)?,
            cancellation_reason: r
                .cancellation_reason
                .map(|c| parse(CancellationReason::parse, &c))
                .transpose()?,
            order_status: parse(OrderStatus::parse, &r.order_status)?,
            country: r.country,
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            monetary_account_id_fallback: r.monetary_account_id_fallback.map(MonetaryAccountId),
            currency: r.currency,
            card_limit_minor: r.card_limit_minor,
            card_limit_atm_minor: r.card_limit_atm_minor,
            pin_set: r.pin_hash.is_some(),
            pan_last_four: r.pan_last_four.unwrap_or_default(),
            expiry_date: r.expiry_date,
            expected_delivery_date: r.expected_delivery_date,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

pub(super) fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

/// The card `id` (of `user` when given), locked until the transaction ends.
pub(super) async fn lock_card(
    conn: &mut AnyConnection,
    id: i64,
    user: Option<UserId>,
) -> Result<Option<Card>, sqlx::Error> {
    let row: Option<CardRow> = match user {
        Some(user) => {
            sqlx::query_as(&format!(
                "UPDATE cards SET updated = updated WHERE id = $1 AND user_id = $2 \
                 RETURNING {CARD_COLUMNS}"
            ))
            .bind(id)
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!(
                "UPDATE cards SET updated = updated WHERE id = $1 RETURNING {CARD_COLUMNS}"
            ))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    row.map(Card::try_from).transpose().map_err(corrupt)
}

/// Queues the owner's `CARD_UPDATED` webhook with the card as it is now.
pub(super) async fn emit_card_updated(
    conn: &mut AnyConnection,
    card: &Card,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    crate::webhooks::outbox::emit_user_event(
        conn,
        card.user_id.0,
        webhook::CARD,
        webhook::CARD_UPDATED,
        card.id.0,
        &card_item(card),
        now,
    )
    .await
}
