//! Card transactions (the `CardTransactionStore`). An authorisation either runs at once
//! (`authorization`) or, with an identity check, waits for the user as a 3DS challenge
//! (`challenges`); reversal and settlement are in `settlement`, the stored form in
//! `action_rows`.

use async_trait::async_trait;
use provisio_core::{
    card::{
        action::{Authorization, MasterCardAction},
        CardStatus,
    },
    idempotency::IdempotencyKey,
    model::{CardId, MasterCardActionId, MonetaryAccountId, Page, PageQuery, UserId},
    store::{AuthorizationOutcome, CardTransactionStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    action_rows::{action_by_id, ActionRow, ACTION_COLUMNS, ACTION_TABLES},
    authorization::authorize_card,
    card_rows::lock_card,
    challenges::challenge_by_id,
};
use crate::{
    db_err, frozen,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::corrupt,
    writer::BoxFuture,
    SqlStore,
};

/// A retried reversal or settlement answers the card transaction as it is now.
impl Kept for MasterCardAction {
    fn answer(&self) -> String {
        self.id.0.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move { action_by_id(conn, kept_id(&answer)?).await })
    }
}

/// A retried authorisation answers the card transaction or the challenge it made, as it is
/// now (a settlement since shows).
impl Kept for AuthorizationOutcome {
    fn answer(&self) -> String {
        match self {
            AuthorizationOutcome::Action(action) => format!("action {}", action.id.0),
            AuthorizationOutcome::Challenge(challenge) => format!("challenge {}", challenge.id.0),
        }
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move {
            Ok(match answer.split_once(' ') {
                Some(("action", id)) => action_by_id(conn, kept_id(id)?)
                    .await?
                    .map(AuthorizationOutcome::Action),
                Some(("challenge", id)) => challenge_by_id(conn, kept_id(id)?)
                    .await?
                    .map(AuthorizationOutcome::Challenge),
                _ => {
                    return Err(corrupt(StoreError::Corrupt(format!(
                        "an idempotency key's answer names nothing: {answer}"
                    ))))
                }
            })
        })
    }
}

async fn authorize_in(
    conn: &mut AnyConnection,
    card: CardId,
    auth: &Authorization,
    now: Timestamp,
) -> Result<Option<AuthorizationOutcome>, sqlx::Error> {
    // The owner's provision is locked first (the order every card write takes), not
    // refused: a merchant's authorisation is the card network's, not the user's change. A
    // closed user's cards are CANCELLED (`ending`), so it is declined as on any cancelled card.
    frozen::card_owner_status(conn, card.0).await?;
    if auth.identity_check && auth.decline_reason.is_none() {
        let Some(found) = lock_card(conn, card.0, None).await? else {
            return Ok(None);
        };
        // A card that cannot pay is declined at once, without asking the user.
        if found.status == CardStatus::Active {
            let challenge = super::challenges::create(conn, &found, auth, now).await?;
            return Ok(Some(AuthorizationOutcome::Challenge(challenge)));
        }
    }
    let action = authorize_card(conn, card, auth, None, now).await?;
    Ok(action.map(AuthorizationOutcome::Action))
}

#[async_trait]
impl CardTransactionStore for SqlStore {
    async fn authorize(
        &self,
        card: CardId,
        authorization: &Authorization,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<AuthorizationOutcome>> {
        let auth = authorization.clone();
        self.write_once(once, now, move |conn| {
            Box::pin(async move { authorize_in(conn, card, &auth, now).await })
        })
        .await
    }

    async fn reverse(
        &self,
        action: MasterCardActionId,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MasterCardAction>> {
        self.write_once(once, now, move |conn| {
            Box::pin(async move { super::settlement::reverse_in(conn, action, now).await })
        })
        .await
    }

    async fn settle(
        &self,
        action: MasterCardActionId,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MasterCardAction>> {
        self.write_once(once, now, move |conn| {
            Box::pin(async move { super::settlement::settle_in(conn, action, now).await })
        })
        .await
    }

    async fn mastercard_action(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: MasterCardActionId,
    ) -> StoreResult<Option<MasterCardAction>> {
        let row: Option<ActionRow> = sqlx::query_as(&format!(
            "SELECT {ACTION_COLUMNS} FROM {ACTION_TABLES} \
             WHERE a.id = $1 AND a.monetary_account_id = $2 AND a.user_id = $3"
        ))
        .bind(id.0)
        .bind(account.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(MasterCardAction::try_from).transpose()
    }

    async fn mastercard_actions(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MasterCardAction>> {
        let rows: Page<ActionRow> = fetch_page(
            &self.read,
            ACTION_COLUMNS,
            "a.id",
            &format!("{ACTION_TABLES} WHERE a.monetary_account_id = $1 AND a.user_id = $2"),
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        rows.try_map(MasterCardAction::try_from)
    }
}
