//! A provision that ends (CANCELLED or FAILED) ends its user's cards in the same transaction.
//!
//! - Its PENDING 3DS challenges expire, as an unanswered one does on its timer: EXPIRED, the
//!   held authorisation recorded declined (`IDENTITY_CHECK_EXPIRED`), the
//!   `MASTERCARD_IDENTITY_CHECK` and `CARD_TRANSACTION_FAILED` webhooks queued. No one can
//!   answer them any more: the user's writes are refused from now on.
//! - Its cards that could still be used (ACTIVE, DEACTIVATED, PIN_TRIES_EXCEEDED) become
//!   CANCELLED with `cancellation_reason` OTHER, each with its `CARD_UPDATED` webhook; LOST,
//!   STOLEN, CANCELLED and EXPIRED cards are final and stay as they are. An authorisation on
//!   such a card is then declined `CARD_NOT_ACTIVE`, as on any cancelled card.
//!
//! Why CANCELLED: bunq's card `status` is one of ACTIVE, DEACTIVATED, LOST, STOLEN, CANCELLED,
//! EXPIRED, PIN_TRIES_EXCEEDED. A closed account's card can never be used again, which rules
//! out ACTIVE and DEACTIVATED (a card can be reactivated from it); LOST, STOLEN and
//! PIN_TRIES_EXCEEDED say something that did not happen; EXPIRED is the card's own expiry
//! date passing. CANCELLED is the permanent end an account holder's decision gives a card
//! (bunq's docs do not say in so many words what a closed account's cards show; this is the
//! status that means what happened), and a CANCELLED card carries a reason: OTHER, since none
//! of FRAUD, LOST, STOLEN is it.
//!
//! The caller (the provision's step, `provisioning::steps`) holds the provision's row, so
//! nothing of the user's can change between this and the commit: the lock order is the
//! provision, then the card, then its account, as in every card write.

use provisio_core::{card::Card, time::Timestamp};
use sqlx::AnyConnection;

use super::{
    card_rows::{emit_card_updated, CardRow, CARD_COLUMNS},
    challenges,
};
use crate::rows::corrupt;

/// Ends the cards and pending challenges of the user of provision `provision` (none when the
/// provision never got a user).
pub(crate) async fn end_user_cards(
    conn: &mut AnyConnection,
    provision: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let user: Option<Option<i64>> =
        sqlx::query_scalar("SELECT user_id FROM provisions WHERE id = $1")
            .bind(provision)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(user) = user.flatten() else {
        return Ok(());
    };
    // The challenges first, while their cards are as the authorisations found them.
    let pending: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM challenge_requests WHERE user_id = $1 AND status = 'PENDING' ORDER BY id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    for id in pending {
        challenges::expire(conn, id, now).await?;
    }
    let rows: Vec<CardRow> = sqlx::query_as(&format!(
        "UPDATE cards SET status = 'CANCELLED', cancellation_reason = 'OTHER', updated = $2 \
         WHERE user_id = $1 AND status IN ('ACTIVE', 'DEACTIVATED', 'PIN_TRIES_EXCEEDED') \
         RETURNING {CARD_COLUMNS}"
    ))
    .bind(user)
    .bind(now.micros())
    .fetch_all(&mut *conn)
    .await?;
    let mut cancelled = rows
        .into_iter()
        .map(Card::try_from)
        .collect::<Result<Vec<_>, _>>()
        .map_err(corrupt)?;
    // RETURNING gives no order: the webhooks go out card by card, oldest first.
    cancelled.sort_by_key(|c| c.id.0);
    for card in &cancelled {
        emit_card_updated(conn, card, now).await?;
    }
    Ok(())
}
