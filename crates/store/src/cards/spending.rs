//! A card's spending on the current (UTC, virtual) day, kept on the card row (`spent_day`,
//! `spent_minor`; migration 0010) so that an authorisation checks the card's limit in the
//! statement that locks the card, instead of summing the day's actions in one more round trip.
//!
//! An authorisation reserves its amount with the lock; a decline gives it back in the same
//! transaction, and so does a reversal of an action created on the day the card counts. The
//! invariant: `spent_minor` is what the card's AUTHORISED actions created on `spent_day` add up
//! to.

use provisio_core::{account::payment::day_start, card::Card, time::Timestamp};
use sqlx::{AnyConnection, FromRow, Row};

use super::card_rows::{CardRow, CARD_COLUMNS};
use crate::rows::corrupt;

/// Locks card `id` and adds `amount` to its spending of `now`'s day (a new day starts from
/// nothing); answers the card and that day's spending, this amount included.
pub(super) async fn reserve(
    conn: &mut AnyConnection,
    id: i64,
    amount: i64,
    now: Timestamp,
) -> Result<Option<(Card, i64)>, sqlx::Error> {
    // Both SET expressions read the row as it was (SQL's rule, on both backends).
    let row = sqlx::query(&format!(
        "UPDATE cards SET \
             spent_minor = CASE WHEN spent_day = $2 THEN spent_minor ELSE 0 END + $3, \
             spent_day = $2 \
         WHERE id = $1 RETURNING {CARD_COLUMNS}, spent_minor"
    ))
    .bind(id)
    .bind(day_start(now).micros())
    .bind(amount)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let spent: i64 = row.try_get("spent_minor")?;
    let card = Card::try_from(CardRow::from_row(&row)?).map_err(corrupt)?;
    Ok(Some((card, spent)))
}

/// Gives back `amount` reserved or spent on card `id` at `at`, when the card still counts
/// that day (a later day has started from nothing anyway).
pub(super) async fn release(
    conn: &mut AnyConnection,
    id: i64,
    amount: i64,
    at: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cards SET spent_minor = spent_minor - $2 WHERE id = $1 AND spent_day = $3")
        .bind(id)
        .bind(amount)
        .bind(day_start(at).micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
