//! Payments as stored (one row per side, with its webhooks), and the ledger's totals: what
//! the invariants are checked against.

use provisio_core::{
    account::{
        payment::{Ledger, Payment, PaymentType},
        MonetaryAccount,
    },
    feed::{self, EventAction, EventStatus, NewEvent},
    model::{MonetaryAccountId, PaymentId, UserId},
    store::StoreResult,
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{payments::payment as render, Item};
use sqlx::{any::AnyRow, AnyConnection, AnyPool, FromRow};

use crate::{
    batch::{Batch, Statement},
    db_err,
    feed::events_statement,
    rows::{corrupt, parse},
    webhooks::outbox::{filters_statement, Filters, UserEvent},
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
    /// The account's balance after this payment; `None` reads it off the account as the
    /// INSERT runs (a payment that moves the balance in the same [`Batch`], just before).
    pub(crate) balance_after_minor: Option<i64>,
}

/// Writes one side, queues its PAYMENT and MUTATION webhooks for the account's owner and
/// records it on the owner's feed.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    side: Side<'_>,
    now: Timestamp,
) -> Result<Payment, sqlx::Error> {
    let mut written = record_all(conn, vec![side], now).await?;
    written.pop().ok_or(sqlx::Error::RowNotFound)
}

/// [`record`] for several sides (both of a transfer), in the order given, in two trips (see
/// `batch`): their Payments with their owners' filters, then their feed events with their
/// webhooks.
pub(crate) async fn record_all(
    conn: &mut AnyConnection,
    sides: Vec<Side<'_>>,
    now: Timestamp,
) -> Result<Vec<Payment>, sqlx::Error> {
    let Some(insert) = payments_statement(&sides, now) else {
        return Ok(Vec::new());
    };
    let mut batch = Batch::new();
    let filters = batch.push(filters_statement(&owners(&sides)));
    let inserted = batch.push(insert);
    let answers = batch.run(conn).await?;
    let filters = Filters::from_rows(answers.rows(filters))?;
    let payments = payments_from(answers.rows(inserted), sides.len())?;
    announce(conn, &payments, &filters, now).await?;
    Ok(payments)
}

/// The users who own `sides`' accounts, each once: whose filters hear their payments.
pub(crate) fn owners(sides: &[Side<'_>]) -> Vec<i64> {
    let mut owners: Vec<i64> = sides.iter().map(|side| side.account.user_id.0).collect();
    owners.sort_unstable();
    owners.dedup();
    owners
}

/// Records `payments` on their owners' feeds and queues their PAYMENT and MUTATION webhooks
/// for `filters` (their owners'), in one trip.
pub(crate) async fn announce(
    conn: &mut AnyConnection,
    payments: &[Payment],
    filters: &Filters,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let events: Vec<NewEvent<'_>> = payments
        .iter()
        .map(|payment| NewEvent {
            user_id: payment.user_id,
            monetary_account_id: Some(payment.monetary_account_id),
            kind: feed::PAYMENT,
            object_id: payment.id.0,
            action: PAYMENT_ACTION,
            status: PAYMENT_STATUS,
        })
        .collect();
    queue_webhooks(conn, events_statement(&events, now), payments, filters, now).await
}

/// How a payment appears on its owner's feed ([`announce`], and `feed::events_of` where the
/// Payments' INSERT is chained).
pub(crate) const PAYMENT_ACTION: EventAction = EventAction::Create;
pub(crate) const PAYMENT_STATUS: EventStatus = EventStatus::Finalized;

/// Queues `payments`' PAYMENT and MUTATION webhooks for `filters` (their owners'), in one
/// trip with `first` (none when there is nothing to send).
pub(crate) async fn queue_webhooks(
    conn: &mut AnyConnection,
    first: Option<Statement>,
    payments: &[Payment],
    filters: &Filters,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new();
    if let Some(first) = first {
        batch.push(first);
    }
    let items: Vec<Item> = payments
        .iter()
        .map(|payment| Item::Payment(render(payment)))
        .collect();
    let webhooks: Vec<[UserEvent<'_>; 2]> = payments
        .iter()
        .zip(&items)
        .map(|(payment, item)| payment_events(payment, item))
        .collect();
    let owners: Vec<(i64, &[UserEvent<'_>])> = payments
        .iter()
        .zip(&webhooks)
        .map(|(payment, events)| (payment.user_id.0, events.as_slice()))
        .collect();
    for insert in filters.deliveries(&owners, now) {
        batch.push(insert);
    }
    batch.run(conn).await.map(drop)
}

/// Values a side binds, for [`payments_statement`]'s placeholders.
const SIDE_BINDS: usize = 13;

/// Writes one side without its webhooks, for a caller that queues them with its own
/// ([`payment_events`]) in one go.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    side: Side<'_>,
    now: Timestamp,
) -> Result<Payment, sqlx::Error> {
    let mut batch = Batch::new();
    if let Some(insert) = payments_statement(std::slice::from_ref(&side), now) {
        batch.push(insert);
    }
    let answers = batch.run(conn).await?;
    let mut written = payments_from(answers.rows(0), 1)?;
    written.pop().ok_or(sqlx::Error::RowNotFound)
}

/// The INSERT that writes `sides` in one statement (none without sides), for
/// [`payments_from`].
pub(crate) fn payments_statement(sides: &[Side<'_>], now: Timestamp) -> Option<Statement> {
    if sides.is_empty() {
        return None;
    }
    let (rows, values) = side_rows(sides, now, "monetary_accounts").into_parts();
    Some(Statement::from_parts(
        format!("{PAYMENT_INSERT} VALUES {rows} RETURNING {PAYMENT_COLUMNS}"),
        values,
    ))
}

/// [`payments_statement`] as a part of a chained statement (see `chain`) after the parts
/// that moved the sides' balances: each side's balance after is read off `moved` (a part
/// answering `id, balance_minor` of the accounts it changed), and nothing is written unless
/// `moved` changed every side's account. None without sides.
pub(crate) fn payments_after(sides: &[Side<'_>], moved: &str, now: Timestamp) -> Option<Statement> {
    if sides.is_empty() {
        return None;
    }
    let (rows, values) = side_rows(sides, now, moved).into_parts();
    Some(Statement::from_parts(
        format!(
            "{PAYMENT_INSERT} SELECT * FROM (VALUES {rows}) AS side \
             WHERE (SELECT COUNT(*) FROM {moved}) = {} RETURNING {PAYMENT_COLUMNS}",
            sides.len()
        ),
        values,
    ))
}

const PAYMENT_INSERT: &str = "INSERT INTO payments (monetary_account_id, user_id, transfer_id, \
     amount_minor, currency, alias_iban, alias_name, counterparty_iban, counterparty_name, \
     description, merchant_reference, type, balance_after_minor, created)";

/// `sides` as the rows of a `VALUES` list (the statement's text) with the values they bind.
/// A side that binds no balance after reads it off `balances` (a table or a part of a chain
/// with `id` and `balance_minor`) as the statement runs.
fn side_rows(sides: &[Side<'_>], now: Timestamp, balances: &str) -> Statement {
    // `$1` is the time; each side binds the rest after it, its account's id second and its
    // balance after last.
    let rows: Vec<String> = (0..sides.len())
        .map(|row| {
            let first = 2 + row * SIDE_BINDS;
            let (account, balance) = (first, first + SIDE_BINDS - 1);
            format!(
                "({}, COALESCE(${balance}, \
                     (SELECT balance_minor FROM {balances} WHERE id = ${account})), $1)",
                crate::placeholders(first, SIDE_BINDS - 1)
            )
        })
        .collect();
    let mut values = Statement::new(rows.join(", ")).bind(now.micros());
    for side in sides {
        values = values
            .bind(side.account.id.0)
            .bind(side.account.user_id.0)
            .bind(side.transfer)
            .bind(side.amount_minor)
            .bind(side.account.currency.clone())
            .bind(side.account.iban.clone())
            .bind(side.account.display_name.clone())
            .bind(side.counterparty_iban)
            .bind(side.counterparty_name)
            .bind(side.description)
            .bind(side.merchant_reference)
            .bind(side.kind.as_str())
            .bind(side.balance_after_minor);
    }
    values
}

/// The Payments [`payments_statement`] wrote (`count` of them), in the order of its sides.
pub(crate) fn payments_from(rows: &[AnyRow], count: usize) -> Result<Vec<Payment>, sqlx::Error> {
    if rows.len() != count {
        return Err(sqlx::Error::RowNotFound);
    }
    let mut rows: Vec<PaymentRow> = rows
        .iter()
        .map(PaymentRow::from_row)
        .collect::<Result<_, _>>()?;
    // Neither database promises RETURNING's order; both number a multi-row VALUES in its
    // order, so the ids give the order back.
    rows.sort_unstable_by_key(|row| row.id);
    rows.into_iter()
        .map(|row| Payment::try_from(row).map_err(corrupt))
        .collect()
}

/// A payment's PAYMENT and MUTATION events (`item` is the payment as rendered).
pub(crate) fn payment_events<'a>(payment: &Payment, item: &'a Item) -> [UserEvent<'a>; 2] {
    let (payment_event, mutation_event) = if payment.amount_minor < 0 {
        (webhook::PAYMENT_CREATED, webhook::MUTATION_CREATED)
    } else {
        (webhook::PAYMENT_RECEIVED, webhook::MUTATION_RECEIVED)
    };
    let account = payment.monetary_account_id.0;
    [
        UserEvent::new(webhook::PAYMENT, payment_event, payment.id.0, item).on_account(account),
        UserEvent::new(webhook::MUTATION, mutation_event, payment.id.0, item).on_account(account),
    ]
}

/// Half a 64-bit integer's bits: `x = (x / 2^32) * 2^32 + x % 2^32` on both databases
/// (integer division truncates, the remainder keeps the dividend's sign), and a sum of either
/// part over fewer than 2^31 rows fits in 64 bits, where a plain `SUM` of values up to
/// [`MAX_BALANCE_MINOR`](provisio_core::account::amount::MAX_BALANCE_MINOR) overflows past
/// some 92,000 rows (SQLite raises "integer overflow", PostgreSQL's cast to BIGINT fails).
const HALF: i64 = 1 << 32;

/// The two parts of `SUM(expr)`, as selected columns.
fn split_sum(expr: &str) -> String {
    format!(
        "CAST(COALESCE(SUM(({expr}) / {HALF}), 0) AS BIGINT), \
         CAST(COALESCE(SUM(({expr}) % {HALF}), 0) AS BIGINT)"
    )
}

fn joined((high, low): (i64, i64)) -> i128 {
    i128::from(high) * i128::from(HALF) + i128::from(low)
}

/// `SUM(expr)` over `rest` (`FROM …`), exactly.
async fn exact_sum(pool: &AnyPool, expr: &str, rest: &str) -> StoreResult<i128> {
    sqlx::query_as::<_, (i64, i64)>(&format!("SELECT {} {rest}", split_sum(expr)))
        .fetch_one(pool)
        .await
        .map(joined)
        .map_err(db_err)
}

/// The ledger's totals, each summed by the database in two exact parts (see [`HALF`]).
pub(super) async fn totals(pool: &AnyPool) -> StoreResult<Ledger> {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .map_err(db_err)
    };
    let credited_minor = exact_sum(
        pool,
        "amount_minor",
        "FROM payments WHERE type = 'EBA_SCT' AND amount_minor > 0",
    )
    .await?;
    // Money out: outgoing transfers, and card payments net of their reversals.
    let paid_out_minor = exact_sum(
        pool,
        "-amount_minor",
        "FROM payments WHERE (type = 'EBA_SCT' AND amount_minor < 0) OR type = 'MASTERCARD'",
    )
    .await?;
    let payments = count("SELECT COUNT(*) FROM payments").await?;
    let unpaired = count(
        "SELECT COUNT(*) FROM (SELECT transfer_id FROM payments \
         WHERE type = 'BUNQ' GROUP BY transfer_id \
         HAVING COUNT(*) <> 2 OR MIN(amount_minor) <> -MAX(amount_minor)) AS broken",
    )
    .await?;
    // Each account's balance beside the sum of its payments, compared here in i128 (one row
    // per account: the ledger is a check, not a hot path).
    let accounts: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT a.id, a.balance_minor, {} FROM monetary_accounts a \
         LEFT JOIN payments p ON p.monetary_account_id = a.id \
         GROUP BY a.id, a.balance_minor ORDER BY a.id",
        split_sum("p.amount_minor")
    ))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut balances_minor = 0_i128;
    let mut unbalanced = Vec::new();
    for (id, balance, high, low) in accounts {
        balances_minor += i128::from(balance);
        if i128::from(balance) != joined((high, low)) {
            unbalanced.push(MonetaryAccountId(id));
        }
    }
    Ok(Ledger {
        balances_minor,
        credited_minor,
        paid_out_minor,
        payments,
        unbalanced,
        unpaired,
    })
}
