//! Reversing and settling card transactions. A reversal credits the action's amount back to
//! the account it was taken from (a positive MASTERCARD Payment) in the transaction that marks
//! the action REVERSED; a settlement moves no money. Only an AUTHORISED action pending
//! settlement can be either, and a user whose provision is over is refused.

use provisio_core::{
    account::{
        amount::{max_balance_refusal, passes_max_balance},
        payment::PaymentType,
    },
    card::action::{AuthorisationStatus, MasterCardAction, SettlementStatus},
    model::MasterCardActionId,
    time::Timestamp,
    webhook,
};
use sqlx::AnyConnection;

use super::{
    action_rows::{action_by_id, emit},
    authorization::lock_account,
    card_rows::refused,
    spending,
};
use crate::{
    banking::ledger::{record, Side},
    frozen,
};

/// An authorised, unsettled action of a user whose provision is not over, locked.
async fn open_action(
    conn: &mut AnyConnection,
    id: MasterCardActionId,
    doing: &str,
) -> Result<Option<MasterCardAction>, sqlx::Error> {
    let user: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM mastercard_actions WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(user) = user else { return Ok(None) };
    frozen::writable(conn, user).await?;
    sqlx::query("UPDATE mastercard_actions SET updated = updated WHERE id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    let Some(action) = action_by_id(conn, id.0).await? else {
        return Ok(None);
    };
    if action.authorisation_status != AuthorisationStatus::Authorised
        || action.settlement_status != SettlementStatus::PendingSettlement
    {
        return Err(refused(format!(
            "This card transaction is {}/{}; only an AUTHORISED one pending settlement can be {doing}.",
            action.authorisation_status, action.settlement_status
        )));
    }
    Ok(Some(action))
}

pub(super) async fn reverse_in(
    conn: &mut AnyConnection,
    id: MasterCardActionId,
    now: Timestamp,
) -> Result<Option<MasterCardAction>, sqlx::Error> {
    let Some(action) = open_action(conn, id, "reversed").await? else {
        return Ok(None);
    };
    // The card before the account, as an authorisation locks them.
    spending::release(conn, action.card_id.0, action.amount_minor, action.created).await?;
    let account = lock_account(conn, action.monetary_account_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    // The account is locked, so its balance is current: the money may not take it past the
    // most an account holds (it could have been credited since the authorisation).
    if passes_max_balance(account.balance_minor, action.amount_minor) {
        return Err(refused(max_balance_refusal(&account.currency)));
    }
    let after: Option<i64> = sqlx::query_scalar(
        "UPDATE monetary_accounts SET balance_minor = balance_minor + $2, updated = $3 \
         WHERE id = $1 AND status <> 'CANCELLED' RETURNING balance_minor",
    )
    .bind(account.id.0)
    .bind(action.amount_minor)
    .bind(now.micros())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(after) = after else {
        return Err(refused(
            "The card transaction's account is CANCELLED; the money cannot go back to it.",
        ));
    };
    let transfer = provisio_core::ids::fresh_uuid().to_string();
    let description = format!("Reversal: {}", action.merchant.name);
    let payment = record(
        conn,
        Side {
            account: &account,
            transfer: &transfer,
            amount_minor: action.amount_minor,
            counterparty_iban: "",
            counterparty_name: &action.merchant.name,
            description: &description,
            merchant_reference: None,
            kind: PaymentType::Mastercard,
            balance_after_minor: Some(after),
        },
        now,
    )
    .await?;
    sqlx::query(
        "UPDATE mastercard_actions SET authorisation_status = 'REVERSED', \
             settlement_status = 'NOT_APPLICABLE', clearing_status = 'NOT_APPLICABLE', \
             reversal_payment_id = $2, updated = $3 WHERE id = $1",
    )
    .bind(id.0)
    .bind(payment.id.0)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    let reversed = action_by_id(conn, id.0)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    emit(conn, &reversed, webhook::CARD_TRANSACTION_UPDATED, now).await?;
    Ok(Some(reversed))
}

pub(super) async fn settle_in(
    conn: &mut AnyConnection,
    id: MasterCardActionId,
    now: Timestamp,
) -> Result<Option<MasterCardAction>, sqlx::Error> {
    if open_action(conn, id, "settled").await?.is_none() {
        return Ok(None);
    }
    sqlx::query(
        "UPDATE mastercard_actions SET settlement_status = 'SETTLED', \
             clearing_status = 'FIRST_PRESENTMENT_COMPLETE', updated = $2 WHERE id = $1",
    )
    .bind(id.0)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    let settled = action_by_id(conn, id.0)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    emit(conn, &settled, webhook::CARD_TRANSACTION_UPDATED, now).await?;
    Ok(Some(settled))
}
