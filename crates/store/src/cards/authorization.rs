//! Card authorisations on the ledger. An authorisation is one transaction: lock the user's
//! provision (a closed user's cards are CANCELLED, so declined), the card, then the account
//! (the payments' order: provisions, then accounts), decide, and either debit the account with the same conditional
//! UPDATE as a payment (`balance_minor >= amount AND status = 'ACTIVE'`) and write the
//! MASTERCARD Payment and the action, or write the action declined with its reason. Either
//! way the action's webhook is queued in the same transaction. The provision is locked by the
//! caller: `actions` for a merchant's authorisation, `challenges` for an answered or expired
//! challenge.

use provisio_core::{
    account::{
        payment::{Payment, PaymentType},
        MonetaryAccount,
    },
    card::{
        action::{
            decline_description, AuthorisationStatus, Authorization, ClearingStatus,
            MasterCardAction, SettlementStatus, ALLOWED,
        },
        Card, CardStatus,
    },
    feed::{self, EventAction, EventStatus, NewEvent},
    model::{CardId, MasterCardActionId, MonetaryAccountId, PaymentId},
    time::Timestamp,
    webhook,
};
use provisio_wire::{
    cards::mastercard_action as render_action, payments::payment as render_payment, Item,
};
use sqlx::AnyConnection;

use super::{card_rows::refused, spending};
use crate::{
    banking::{
        accounts::{AccountRow, ACCOUNT_COLUMNS},
        ledger::{insert, payment_events, Side},
    },
    feed::record_event,
    rows::corrupt,
    webhooks::outbox::{emit_user_events, UserEvent},
};

/// The account `id`, locked until the transaction ends.
pub(super) async fn lock_account(
    conn: &mut AnyConnection,
    id: MonetaryAccountId,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let row: Option<AccountRow> = sqlx::query_as(&format!(
        "UPDATE monetary_accounts SET updated = updated WHERE id = $1 RETURNING {ACCOUNT_COLUMNS}"
    ))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// Debits `amount` if the account is ACTIVE and holds it, locking it; answers the account
/// after the debit. (One statement for the lock, the checks and the debit: in a write each
/// statement is a round trip, and this is the hot path.)
async fn debit(
    conn: &mut AnyConnection,
    account: MonetaryAccountId,
    amount: i64,
    now: Timestamp,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let row: Option<AccountRow> = sqlx::query_as(&format!(
        "UPDATE monetary_accounts SET balance_minor = balance_minor - $2, updated = $3 \
         WHERE id = $1 AND balance_minor >= $2 AND status = 'ACTIVE' RETURNING {ACCOUNT_COLUMNS}"
    ))
    .bind(account.0)
    .bind(amount)
    .bind(now.micros())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// What an authorisation decided.
struct Decision {
    account: MonetaryAccount,
    outcome: Result<Payment, &'static str>,
    applied_limit: Option<&'static str>,
}

/// The card's own account, locked; it is there (a foreign key).
async fn card_account(
    conn: &mut AnyConnection,
    card: &Card,
) -> Result<MonetaryAccount, sqlx::Error> {
    lock_account(conn, card.monetary_account_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// The fallback account, debited, when it is the card owner's in the card's currency and
/// can pay.
async fn debit_fallback(
    conn: &mut AnyConnection,
    card: &Card,
    amount: i64,
    now: Timestamp,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let Some(fallback) = card.monetary_account_id_fallback else {
        return Ok(None);
    };
    let Some(other) = lock_account(conn, fallback).await? else {
        return Ok(None);
    };
    if other.user_id != card.user_id || other.currency != card.currency {
        return Ok(None);
    }
    debit(conn, other.id, amount, now).await
}

/// Decides `auth` on `card` (locked, `spent` today with this amount reserved) and moves the
/// money of an approved one. A forced decline comes first, then the card's status, the
/// account's status, the card's limit and the balance (the fallback account pays when the
/// card's own account cannot).
async fn decide(
    conn: &mut AnyConnection,
    card: &Card,
    spent: i64,
    auth: &Authorization,
    now: Timestamp,
) -> Result<Decision, sqlx::Error> {
    let currency = auth.currency.as_deref().unwrap_or(&card.currency);
    if currency != card.currency {
        return Err(refused(format!(
            "This card pays in {}; the amount is in {currency}.",
            card.currency
        )));
    }
    let atm = auth.pan_entry_mode == "ATM";
    let (limit, limit_name) = if atm {
        (card.card_limit_atm_minor, "CARD_LIMIT_ATM")
    } else {
        (card.card_limit_minor, "CARD_LIMIT_PAYMENT")
    };
    let declined = |reason: &'static str, account: MonetaryAccount| Decision {
        account,
        outcome: Err(reason),
        applied_limit: None,
    };
    let active = |account: &MonetaryAccount| account.status.as_str() == "ACTIVE";
    if let Some(reason) = &auth.decline_reason {
        let reason = provisio_core::card::action::DECLINE_REASONS
            .iter()
            .find(|r| **r == reason.as_str())
            .copied()
            .unwrap_or("SUSPECTED_FRAUD");
        return Ok(declined(reason, card_account(conn, card).await?));
    }
    if card.status != CardStatus::Active {
        return Ok(declined("CARD_NOT_ACTIVE", card_account(conn, card).await?));
    }
    if spent > limit {
        let account = card_account(conn, card).await?;
        let reason = if active(&account) {
            "CARD_LIMIT_EXCEEDED"
        } else {
            "ACCOUNT_NOT_ACTIVE"
        };
        return Ok(declined(reason, account));
    }
    // The common case in one statement; the others find out why it did not pay.
    let charged = match debit(conn, card.monetary_account_id, auth.amount_minor, now).await? {
        Some(charged) => charged,
        None => {
            let account = card_account(conn, card).await?;
            if !active(&account) {
                return Ok(declined("ACCOUNT_NOT_ACTIVE", account));
            }
            match debit_fallback(conn, card, auth.amount_minor, now).await? {
                Some(other) => other,
                None => return Ok(declined("INSUFFICIENT_BALANCE", account)),
            }
        }
    };
    let transfer = provisio_core::ids::fresh_uuid().to_string();
    let description = format!(
        "{} {} {}",
        auth.merchant.name, auth.merchant.city, auth.merchant.country
    );
    let payment = insert(
        conn,
        Side {
            account: &charged,
            transfer: &transfer,
            amount_minor: -auth.amount_minor,
            counterparty_iban: "",
            counterparty_name: &auth.merchant.name,
            description: &description,
            merchant_reference: None,
            kind: PaymentType::Mastercard,
            balance_after_minor: Some(charged.balance_minor),
        },
        now,
    )
    .await?;
    Ok(Decision {
        account: charged,
        outcome: Ok(payment),
        applied_limit: Some(limit_name),
    })
}

/// Decides and records an authorisation on card `id` (its user checked by the caller), with
/// its webhooks; `None` for an unknown card. The card is locked with its amount reserved
/// against its daily limit, which a decline gives back. `additional` is the 3DS outcome,
/// when there was one.
pub(super) async fn authorize_card(
    conn: &mut AnyConnection,
    id: CardId,
    auth: &Authorization,
    additional: Option<&str>,
    now: Timestamp,
) -> Result<Option<MasterCardAction>, sqlx::Error> {
    let Some((card, spent)) = spending::reserve(conn, id.0, auth.amount_minor, now).await? else {
        return Ok(None);
    };
    let card = &card;
    let decision = decide(conn, card, spent, auth, now).await?;
    let (status, settlement, clearing, decided, description, paid) = match decision.outcome {
        Ok(payment) => (
            AuthorisationStatus::Authorised,
            SettlementStatus::PendingSettlement,
            ClearingStatus::Pending,
            ALLOWED.to_owned(),
            String::new(),
            Some(payment),
        ),
        Err(reason) => {
            spending::release(conn, card.id.0, auth.amount_minor, now).await?;
            (
                AuthorisationStatus::Declined,
                SettlementStatus::NotApplicable,
                ClearingStatus::NotApplicable,
                reason.to_owned(),
                decline_description(reason),
                None,
            )
        }
    };
    let payment = paid.as_ref().map(|p| p.id.0);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mastercard_actions (card_id, monetary_account_id, user_id, amount_minor, \
             currency, merchant_name, merchant_city, merchant_country, merchant_id, \
             merchant_category_code, pan_entry_mode, decision, decision_description, \
             authorisation_status, settlement_status, clearing_status, applied_limit, \
             additional_authentication_status, payment_id, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $20) RETURNING id",
    )
    .bind(card.id.0)
    .bind(decision.account.id.0)
    .bind(card.user_id.0)
    .bind(auth.amount_minor)
    .bind(card.currency.clone())
    .bind(auth.merchant.name.clone())
    .bind(auth.merchant.city.clone())
    .bind(auth.merchant.country.clone())
    .bind(auth.merchant.id.clone())
    .bind(auth.merchant.category_code.clone())
    .bind(auth.pan_entry_mode.clone())
    .bind(decided.clone())
    .bind(description.clone())
    .bind(status.as_str())
    .bind(settlement.as_str())
    .bind(clearing.as_str())
    .bind(decision.applied_limit)
    .bind(additional.map(str::to_owned))
    .bind(payment)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    // The action as just written (what `action_by_id` would read back, without the trip).
    let account = decision.account;
    let action = MasterCardAction {
        id: MasterCardActionId(id),
        card_id: card.id,
        monetary_account_id: account.id,
        user_id: card.user_id,
        amount_minor: auth.amount_minor,
        currency: card.currency.clone(),
        merchant: auth.merchant.clone(),
        pan_entry_mode: auth.pan_entry_mode.clone(),
        decision: decided,
        decision_description: description,
        authorisation_status: status,
        settlement_status: settlement,
        clearing_status: clearing,
        applied_limit: decision.applied_limit.map(str::to_owned),
        additional_authentication_status: additional.map(str::to_owned),
        payment_id: payment.map(PaymentId),
        reversal_payment_id: None,
        card_second_line: card.second_line.clone(),
        alias_iban: account.iban,
        alias_name: account.display_name,
        created: now,
        updated: now,
    };
    // The payment's webhooks and the action's, reading the owner's filters once.
    let category = if action.approved() {
        webhook::CARD_TRANSACTION_SUCCESSFUL
    } else {
        webhook::CARD_TRANSACTION_FAILED
    };
    let action_item = Item::MasterCardAction(render_action(&action));
    let payment_item = paid.as_ref().map(|p| Item::Payment(render_payment(p)));
    let mut events = Vec::with_capacity(3);
    if let (Some(p), Some(item)) = (&paid, &payment_item) {
        events.extend(payment_events(p, item));
    }
    events.push(
        UserEvent::new(category, category, action.id.0, &action_item)
            .on_account(action.monetary_account_id.0),
    );
    emit_user_events(conn, action.user_id.0, &events, now).await?;
    // On the feed, a card payment is its transaction (the action), approved or declined.
    let event = NewEvent {
        user_id: action.user_id,
        monetary_account_id: Some(action.monetary_account_id),
        kind: feed::MASTER_CARD_ACTION,
        object_id: action.id.0,
        action: EventAction::Create,
        status: EventStatus::Finalized,
    };
    record_event(conn, &event, now).await?;
    Ok(Some(action))
}
