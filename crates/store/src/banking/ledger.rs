//! Payments as stored (one row per side, with its webhooks), and the ledger's totals: what
//! the invariants are checked against.

use provisio_core::{
    account::{
        payment::{Ledger, Payment, PaymentType},
        MonetaryAccount,
    },
    model::{MonetaryAccountId, PaymentId, UserId},
    store::StoreResult,
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{payments::payment as render, Item};
use sqlx::{AnyConnection, AnyPool};

use crate::{
    db_err,
    rows::{corrupt, parse},
    webhooks::outbox::UserEvent,
};

pub(super) const PAYMENT_COLUMNS: &str =
    "id, monetary_account_id, user_id, amount_minor, currency, \
     alias_iban, alias_name, counterparty_iban, counterparty_name, description, \
     merchant_reference, type, balance_after_minor, created";

#[derive(sqlx::FromRow)]
pub(super) struct PaymentRow {
    id: i64,
    monetary_account_id: i64,
    user_id: i64,
    amount_minor: i64,
    currency: String,
    alias_iban: String,
    alias_name: String,
    counterparty_iban: String,
    counterparty_name: String,
    description: String,
    merchant_reference: Option<String>,
    #[sqlx(rename = "type")]
    kind: String,
    balance_after_minor: i64,
    created: i64,
}

impl TryFrom<PaymentRow> for Payment {
    type Error = StoreError;

    fn try_from(r: PaymentRow) -> Result<Self, StoreError> {
        Ok(Payment {
            id: PaymentId(r.id),
            monetary_account_id: MonetaryAccountId(r.monetary_account_id),
            user_id: UserId(r.user_id),
            amount_minor: r.amount_minor,
            currency: r.currency,
            alias_iban: r.alias_iban,
            alias_name: r.alias_name,
            counterparty_iban: r.counterparty_iban,
            counterparty_name: r.counterparty_name,
            description: r.description,
            merchant_reference: r.merchant_reference,
            kind: parse(PaymentType::parse, &r.kind)?,
            balance_after_minor: r.balance_after_minor,
            created: Timestamp(r.created),
        })
    }
}

/// One side of a payment to write.
pub(crate) struct Side<'a> {
    pub(crate) account: &'a MonetaryAccount,
    pub(crate) transfer: &'a str,
    pub(crate) amount_minor: i64,
    pub(crate) counterparty_iban: &'a str,
    pub(crate) counterparty_name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) merchant_reference: Option<&'a str>,
    pub(crate) kind: PaymentType,
    pub(crate) balance_after_minor: i64,
}

/// Writes one side and queues its PAYMENT and MUTATION webhooks for the account's owner.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    side: Side<'_>,
    now: Timestamp,
) -> Result<Payment, sqlx::Error> {
    let payment = insert(conn, side, now).await?;
    let item = Item::Payment(render(&payment));
    let events = payment_events(&payment, &item);
    crate::webhooks::outbox::emit_user_events(conn, payment.user_id.0, &events, now).await?;
    Ok(payment)
}

/// Writes one side without its webhooks, for a caller that queues them with its own
/// ([`payment_events`]) in one go.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    side: Side<'_>,
    now: Timestamp,
) -> Result<Payment, sqlx::Error> {
    let row: PaymentRow = sqlx::query_as(&format!(
        "INSERT INTO payments (monetary_account_id, user_id, transfer_id, amount_minor, currency, \
             alias_iban, alias_name, counterparty_iban, counterparty_name, description, \
             merchant_reference, type, balance_after_minor, created) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         RETURNING {PAYMENT_COLUMNS}"
    ))
    .bind(side.account.id.0)
    .bind(side.account.user_id.0)
    .bind(side.transfer.to_owned())
    .bind(side.amount_minor)
    .bind(side.account.currency.clone())
    .bind(side.account.iban.clone())
    .bind(side.account.display_name.clone())
    .bind(side.counterparty_iban.to_owned())
    .bind(side.counterparty_name.to_owned())
    .bind(side.description.to_owned())
    .bind(side.merchant_reference.map(str::to_owned))
    .bind(side.kind.as_str())
    .bind(side.balance_after_minor)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    Payment::try_from(row).map_err(corrupt)
}

/// A payment's PAYMENT and MUTATION events (`item` is the payment as rendered).
pub(crate) fn payment_events<'a>(payment: &Payment, item: &'a Item) -> [UserEvent<'a>; 2] {
    let (payment_event, mutation_event) = if payment.amount_minor < 0 {
        (webhook::PAYMENT_CREATED, webhook::MUTATION_CREATED)
    } else {
        (webhook::PAYMENT_RECEIVED, webhook::MUTATION_RECEIVED)
    };
    [
        UserEvent::new(webhook::PAYMENT, payment_event, payment.id.0, item),
        UserEvent::new(webhook::MUTATION, mutation_event, payment.id.0, item),
    ]
}

/// The ledger's totals, each summed by the database.
pub(super) async fn totals(pool: &AnyPool) -> StoreResult<Ledger> {
    let sum = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .map_err(db_err)
    };
    let balances_minor =
        sum("SELECT CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) FROM monetary_accounts")
            .await?;
    let credited_minor = sum("SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) \
         FROM payments WHERE type = 'EBA_SCT' AND amount_minor > 0")
    .await?;
    // Money out: outgoing transfers, and card payments net of their reversals.
    let paid_out_minor = sum("SELECT CAST(COALESCE(SUM(-amount_minor), 0) AS BIGINT) \
         FROM payments WHERE (type = 'EBA_SCT' AND amount_minor < 0) OR type = 'MASTERCARD'")
    .await?;
    let payments = sum("SELECT COUNT(*) FROM payments").await?;
    let unpaired = sum("SELECT COUNT(*) FROM (SELECT transfer_id FROM payments \
         WHERE type = 'BUNQ' GROUP BY transfer_id \
         HAVING COUNT(*) <> 2 OR SUM(amount_minor) <> 0) AS broken")
    .await?;
    let unbalanced: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM monetary_accounts a \
         WHERE a.balance_minor <> (SELECT CAST(COALESCE(SUM(p.amount_minor), 0) AS BIGINT) \
                                   FROM payments p WHERE p.monetary_account_id = a.id) \
         ORDER BY a.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(Ledger {
        balances_minor,
        credited_minor,
        paid_out_minor,
        payments,
        unbalanced: unbalanced.into_iter().map(MonetaryAccountId).collect(),
        unpaired,
    })
}
