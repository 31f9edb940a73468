//! Payments on an exact ledger. A payment is one transaction: lock what it touches in a fixed
//! order (provisions by user id, then accounts by id, so two payments in opposite directions
//! cannot deadlock on PostgreSQL), debit the payer with a conditional UPDATE (`balance_minor >=
//! amount AND status = 'ACTIVE'`, and the day's spending, kept on the account, within its
//! daily limit; no row changed means refused, and a second look says why), credit the payee,
//! write both sides' Payments and queue their webhooks. Any refusal is an error out of the
//! transaction, so nothing of it is written.
//!
//! Both users' provisions are read (and on PostgreSQL locked) in one statement, and both
//! accounts locked in one: inside a write every statement is a round trip, to SQLite's thread
//! or to PostgreSQL, and those trips bound how many payments a second commit. On SQLite the
//! single writer serialises payments anyway, so the accounts are not locked there. On
//! PostgreSQL the debit, the credit, both Payments and their feed events are one chained
//! statement after the locks ([`Moves::settle_chained`]): fewer trips while the accounts are
//! locked, so a busy account waits less for the payment before it.

use provisio_core::{
    account::{
        amount::{format_minor, max_balance_refusal, MAX_BALANCE_MINOR},
        payment::{day_start, Credit, NewPayment, Payment, PaymentPolicy, PaymentType},
        AccountStatus, MonetaryAccount,
    },
    feed,
    model::{MonetaryAccountId, UserId},
    provision::Status,
    time::Timestamp,
    StoreError,
};
use sqlx::{any::AnyRow, AnyConnection, Row};

use super::{
    accounts::{AccountRow, ACCOUNT_COLUMNS},
    ledger::{
        announce, owners, payments_after, payments_from, payments_statement, queue_webhooks,
        record, Side, PAYMENT_ACTION, PAYMENT_STATUS,
    },
    payee::{payee, refused, Payee},
};
use crate::{
    batch::{Answers, Batch, Statement},
    chain::{chains_writes, with_parts},
    feed::events_of,
    frozen,
    rows::corrupt,
    webhooks::outbox::{filters_statement, Filters},
    writer::single_writer,
};

/// How an account is looked up inside a payment.
pub(super) enum Find {
    Id(i64),
    OwnedBy(i64, UserId),
}

pub(super) async fn find_account(
    conn: &mut AnyConnection,
    find: Find,
) -> Result<Option<MonetaryAccount>, sqlx::Error> {
    let select = format!("SELECT {ACCOUNT_COLUMNS} FROM monetary_accounts WHERE");
    // A statement of its own (see `batch`): on SQLite's writer, no trip to sqlx's thread.
    let statement = match find {
        Find::Id(id) => Statement::new(format!("{select} id = $1")).bind(id),
        Find::OwnedBy(id, user) => Statement::new(format!("{select} id = $1 AND user_id = $2"))
            .bind(id)
            .bind(user.0),
    };
    let row: Option<AccountRow> = statement.fetch_optional_as(conn).await?;
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// Refuses when a user's provision is over; `users` are `(id, is_payer)`, and `is_payer`
/// decides the wording. Their provisions are read, and on PostgreSQL locked, in one
/// statement.
async fn check_users(conn: &mut AnyConnection, users: &[(i64, bool)]) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = users.iter().map(|(id, _)| *id).collect();
    let statuses = frozen::provision_statuses(conn, &ids).await?;
    refuse_frozen(&statuses, users)
}

/// [`check_users`] on the statuses read (`frozen::provision_statuses`).
fn refuse_frozen(statuses: &[(i64, Status)], users: &[(i64, bool)]) -> Result<(), sqlx::Error> {
    for (id, is_payer) in users {
        match statuses.iter().find(|(user, _)| user == id) {
            Some((_, status)) if status.freezes_user() && *is_payer => {
                return Err(frozen::refuse(StoreError::UserFrozen(*status)));
            }
            Some((_, status)) if status.freezes_user() => {
                return Err(refused(format!(
                    "The receiving account's user is {status}; its accounts take no payments."
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Locks the accounts `ids` in id order, in one statement (PostgreSQL's; see the module).
fn lock_accounts(ids: &[i64]) -> Statement {
    let places = crate::placeholders(1, ids.len());
    // The locking clause applies after ORDER BY, so the rows are locked in id order; NO KEY
    // UPDATE is the lock an UPDATE of the row takes.
    let sql = format!(
        "SELECT id FROM monetary_accounts WHERE id IN ({places}) ORDER BY id FOR NO KEY UPDATE"
    );
    ids.iter()
        .fold(Statement::new(sql), |lock, id| lock.bind(*id))
}

/// What account `$1` has paid out on the day starting at `$2`: its spending, kept on the row
/// (migration 0023), counts for that day only. Card payments have their own limit (the
/// card's) and do not count.
const SPENT_TODAY: &str = "CASE WHEN spent_day = $2 THEN spent_minor ELSE 0 END";

/// Debits `amount` if the account is ACTIVE, holds it and its outgoing payments of the day
/// with this one stay within its daily limit, adding it to the day's spending; answers the
/// balance after, and no row when refused ([`debit_refusal`] says why).
fn debit(account: &MonetaryAccount, amount: i64, now: Timestamp) -> Statement {
    // Every SET expression reads the row as it was (SQL's rule, on both backends).
    Statement::new(format!(
        "UPDATE monetary_accounts SET balance_minor = balance_minor - $3, \
             spent_minor = {SPENT_TODAY} + $3, spent_day = $2, updated = $4 \
         WHERE id = $1 AND balance_minor >= $3 AND status = 'ACTIVE' \
           AND {SPENT_TODAY} + $3 <= daily_limit_minor \
         RETURNING id, balance_minor"
    ))
    .bind(account.id.0)
    .bind(day_start(now).micros())
    .bind(amount)
    .bind(now.micros())
    .or_stop()
}

/// Why [`debit`] refused: in the order a payment is checked, the first reason that holds.
async fn debit_refusal(
    conn: &mut AnyConnection,
    account: &MonetaryAccount,
    amount: i64,
    now: Timestamp,
) -> sqlx::Error {
    match debit_refusal_found(conn, account, amount, now).await {
        Ok(refusal) | Err(refusal) => refusal,
    }
}

async fn debit_refusal_found(
    conn: &mut AnyConnection,
    account: &MonetaryAccount,
    amount: i64,
    now: Timestamp,
) -> Result<sqlx::Error, sqlx::Error> {
    let Some(a) = find_account(conn, Find::Id(account.id.0)).await? else {
        return Ok(sqlx::Error::RowNotFound);
    };
    if a.status != AccountStatus::Active {
        return Ok(refused(format!(
            "This monetary account is {}; only an ACTIVE account can pay.",
            a.status
        )));
    }
    if a.balance_minor < amount {
        return Ok(refused(format!(
            "Insufficient balance: the account holds {} {}, the payment is {} {}.",
            format_minor(a.balance_minor),
            a.currency,
            format_minor(amount),
            a.currency
        )));
    }
    let spent: i64 = sqlx::query_scalar(&format!(
        "SELECT {SPENT_TODAY} FROM monetary_accounts WHERE id = $1"
    ))
    .bind(account.id.0)
    .bind(day_start(now).micros())
    .fetch_one(&mut *conn)
    .await?;
    Ok(refused(format!(
        "This payment would exceed the account's daily limit of {} {}: {} {} already paid today (UTC).",
        format_minor(a.daily_limit_minor),
        a.currency,
        format_minor(spent),
        a.currency
    )))
}

/// Credits `amount` if the account is ACTIVE and stays within [`MAX_BALANCE_MINOR`];
/// answers the balance after, and no row when refused ([`credit_refusal`] says why).
fn credit(account: MonetaryAccountId, amount: i64, now: Timestamp) -> Statement {
    Statement::new(
        "UPDATE monetary_accounts SET balance_minor = balance_minor + $2, updated = $3 \
         WHERE id = $1 AND status = 'ACTIVE' AND balance_minor <= $4 - $2 \
         RETURNING id, balance_minor",
    )
    .bind(account.0)
    .bind(amount)
    .bind(now.micros())
    .bind(MAX_BALANCE_MINOR)
    .or_stop()
}

/// Why [`credit`] refused (`inactive` words the refusal of an account that is not ACTIVE,
/// given its status).
async fn credit_refusal(
    conn: &mut AnyConnection,
    account: MonetaryAccountId,
    inactive: impl FnOnce(AccountStatus) -> String,
) -> sqlx::Error {
    match find_account(conn, Find::Id(account.0)).await {
        Ok(Some(a)) if a.status != AccountStatus::Active => refused(inactive(a.status)),
        Ok(Some(a)) => refused(max_balance_refusal(&a.currency)),
        Ok(None) => sqlx::Error::RowNotFound,
        Err(err) => err,
    }
}

/// The balance a [`debit`] or [`credit`] answered; `None` when it refused.
fn balance_after(answer: Option<&AnyRow>) -> Result<Option<i64>, sqlx::Error> {
    match answer {
        Some(row) => row.try_get::<i64, _>("balance_minor").map(Some),
        None => Ok(None),
    }
}

/// Both sides of a payment as written: the payer's, and the payee's when it is held here.
pub(super) struct Paid {
    pub(super) payer: Payment,
    pub(super) payee: Option<Payment>,
}

/// Pays `payment` from the user's `account` (see the module); answers the payer's side,
/// `None` when the user has no such account.
pub(super) async fn pay_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    payment: &NewPayment,
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Option<Payment>, sqlx::Error> {
    let paid = transfer_in(conn, user, account, payment, policy, now).await?;
    Ok(paid.map(|p| p.payer))
}

/// [`pay_in`], answering both sides.
pub(super) async fn transfer_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    payment: &NewPayment,
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Option<Paid>, sqlx::Error> {
    let found = find_account(conn, Find::OwnedBy(account.0, user)).await?;
    let Some(payer) = found else { return Ok(None) };
    if payment.currency != payer.currency {
        return Err(refused(format!(
            "This account holds {}; the amount is in {}.",
            payer.currency, payment.currency
        )));
    }
    let Payee {
        account: payee,
        iban: counterparty_iban,
        name: counterparty_name,
    } = payee(conn, &payer, payment, policy, now).await?;
    // Locks in a fixed order: provisions by user id, then accounts by id.
    let mut users = vec![(payer.user_id.0, true)];
    let mut accounts = vec![payer.id.0];
    if let Some(p) = &payee {
        users.push((p.user_id.0, p.user_id == payer.user_id));
        accounts.push(p.id.0);
    }
    users.sort_unstable();
    users.dedup_by_key(|(id, _)| *id);
    let amount = payment.amount_minor;
    let transfer = provisio_core::ids::fresh_uuid().to_string();
    // The payee's side first, as it always was: its Payment has the lower id. Each side's
    // balance after is read off its account as the Payment is written, after the UPDATEs
    // (on PostgreSQL, off the UPDATEs' answers).
    let mut sides = Vec::with_capacity(2);
    if let Some(payee) = &payee {
        sides.push(Side {
            account: payee,
            transfer: &transfer,
            amount_minor: amount,
            counterparty_iban: &payer.iban,
            counterparty_name: &payer.display_name,
            description: &payment.description,
            merchant_reference: payment.merchant_reference.as_deref(),
            kind: PaymentType::Bunq,
            balance_after_minor: None,
        });
    }
    let kind = if payee.is_some() {
        PaymentType::Bunq
    } else {
        PaymentType::EbaSct
    };
    sides.push(Side {
        account: &payer,
        transfer: &transfer,
        amount_minor: -amount,
        counterparty_iban: &counterparty_iban,
        counterparty_name: &counterparty_name,
        description: &payment.description,
        merchant_reference: payment.merchant_reference.as_deref(),
        kind,
        balance_after_minor: None,
    });
    let moves = Moves {
        payer: &payer,
        payee: payee.as_ref(),
        users: &users,
        accounts: &accounts,
        amount,
    };
    let mut written = if chains_writes(conn) {
        moves.settle_chained(conn, &sides, now).await?
    } else {
        moves.settle(conn, &sides, now).await?
    };
    let payer_side = written.pop().ok_or(sqlx::Error::RowNotFound)?;
    Ok(Some(Paid {
        payer: payer_side,
        payee: written.pop(),
    }))
}

/// What a transfer moves, once its payee is known: `amount` from the payer's account to the
/// payee's (when it is held here), with the users `(id, is_payer)` and the accounts to lock,
/// each in id order.
struct Moves<'a> {
    payer: &'a MonetaryAccount,
    payee: Option<&'a MonetaryAccount>,
    users: &'a [(i64, bool)],
    accounts: &'a [i64],
    amount: i64,
}

/// Where [`Moves::push_checks`]'s statements answer in their batch.
struct Checks {
    statuses: usize,
    filters: usize,
}

impl Moves<'_> {
    /// Moves the money and writes `sides` with their webhooks, answering the Payments written
    /// in the order of `sides`; any refusal is an error.
    async fn settle(
        &self,
        conn: &mut AnyConnection,
        sides: &[Side<'_>],
        now: Timestamp,
    ) -> Result<Vec<Payment>, sqlx::Error> {
        // Everything from here to the Payments in one trip (see `batch`), checked in order
        // afterwards: a refusal fails the write, which undoes what the statements after it
        // did.
        let mut batch = Batch::new();
        let checks = self.push_checks(&mut batch, sides, !single_writer(conn));
        let debited = batch.push(debit(self.payer, self.amount, now));
        let credited = self
            .payee
            .map(|p| batch.push(credit(p.id, self.amount, now)));
        let inserted = batch.push(payments_statement(sides, now).ok_or(sqlx::Error::RowNotFound)?);
        let answers = batch.run(conn).await?;
        let filters = self.checked(&answers, checks)?;
        let debited = balance_after(answers.first(debited))?.is_some();
        let credited = match credited {
            Some(credited) => balance_after(answers.first(credited))?.is_some(),
            None => true,
        };
        self.refuse_unmoved(conn, debited, credited, now).await?;
        let written = payments_from(answers.rows(inserted), sides.len())?;
        announce(conn, &written, &filters, now).await?;
        Ok(written)
    }

    /// [`Moves::settle`] on PostgreSQL, where each statement is a round trip. The locks go
    /// first, each a statement of its own so that they are taken in their order (the parts
    /// of one statement run in no set order); then the debit, the credit, the Payments and
    /// their feed events are one chained statement (`chain`), whose Payments are written
    /// only when both balances moved and take their balances after from the UPDATEs'
    /// answers. The webhooks follow when a filter hears them.
    async fn settle_chained(
        &self,
        conn: &mut AnyConnection,
        sides: &[Side<'_>],
        now: Timestamp,
    ) -> Result<Vec<Payment>, sqlx::Error> {
        let mut batch = Batch::new();
        let checks = self.push_checks(&mut batch, sides, true);
        let filters = self.checked(&batch.run(conn).await?, checks)?;

        let mut parts = vec![("debited", debit(self.payer, self.amount, now))];
        let mut moved = "SELECT id, balance_minor FROM debited".to_owned();
        let mut answered = "(SELECT COUNT(*) FROM debited) AS debited".to_owned();
        if let Some(payee) = self.payee {
            parts.push(("credited", credit(payee.id, self.amount, now)));
            moved.push_str(" UNION ALL SELECT id, balance_minor FROM credited");
            answered.push_str(", (SELECT COUNT(*) FROM credited) AS credited");
        }
        parts.push(("moved", Statement::new(moved)));
        let insert = payments_after(sides, "moved", now).ok_or(sqlx::Error::RowNotFound)?;
        parts.push(("inserted", insert));
        let events = events_of(
            "inserted",
            feed::PAYMENT,
            PAYMENT_ACTION,
            PAYMENT_STATUS,
            now,
        );
        parts.push(("recorded", events));
        // One row when nothing was written (its Payment's columns NULL), else one for each
        // Payment; every row has the counts of the accounts debited and credited.
        let last = Statement::new(format!(
            "SELECT {answered}, inserted.* FROM (SELECT 1) AS one LEFT JOIN inserted ON TRUE"
        ));
        let rows = with_parts(parts, last).fetch_all(conn).await?;
        let first = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        let debited = first.try_get::<i64, _>("debited")? != 0;
        let credited = self.payee.is_none() || first.try_get::<i64, _>("credited")? != 0;
        self.refuse_unmoved(conn, debited, credited, now).await?;
        let written = payments_from(&rows, sides.len())?;
        queue_webhooks(conn, None, &written, &filters, now).await?;
        Ok(written)
    }

    /// Pushes the reads every payment starts with: its users' provisions (with `lock_rows`,
    /// locked, and the accounts after them, in that order) and the filters of the sides'
    /// owners. Answers where their answers are, for [`Moves::checked`].
    fn push_checks(&self, batch: &mut Batch, sides: &[Side<'_>], lock_rows: bool) -> Checks {
        let user_ids: Vec<i64> = self.users.iter().map(|(id, _)| *id).collect();
        let statuses = batch.push(frozen::statuses_statement(&user_ids, lock_rows));
        if lock_rows {
            batch.push(lock_accounts(self.accounts));
        }
        let filters = batch.push(filters_statement(&owners(sides)));
        Checks { statuses, filters }
    }

    /// Refuses when a user's provision is over; answers the owners' filters.
    fn checked(&self, answers: &Answers, checks: Checks) -> Result<Filters, sqlx::Error> {
        refuse_frozen(
            &frozen::statuses_from(answers.rows(checks.statuses))?,
            self.users,
        )?;
        Filters::from_rows(answers.rows(checks.filters))
    }

    /// Refuses the transfer when its debit or its credit moved no balance (`debited`,
    /// `credited`; without a payee here, `credited` is true), saying why: the payer's account
    /// first, then the payee's. Both settle paths decide alike.
    async fn refuse_unmoved(
        &self,
        conn: &mut AnyConnection,
        debited: bool,
        credited: bool,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        if !debited {
            return Err(debit_refusal(conn, self.payer, self.amount, now).await);
        }
        match self.payee {
            Some(payee) if !credited => Err(credit_refusal(conn, payee.id, |_| {
                "The receiving account is not ACTIVE; it takes no payments.".to_owned()
            })
            .await),
            _ => Ok(()),
        }
    }
}

pub(super) async fn credit_in(
    conn: &mut AnyConnection,
    account: MonetaryAccountId,
    credit: &Credit,
    now: Timestamp,
) -> Result<Option<Payment>, sqlx::Error> {
    let Some(found) = find_account(conn, Find::Id(account.0)).await? else {
        return Ok(None);
    };
    check_users(conn, &[(found.user_id.0, false)]).await?;
    let mut batch = Batch::new();
    batch.push(self::credit(found.id, credit.amount_minor, now));
    let Some(after) = balance_after(batch.run(conn).await?.first(0))? else {
        return Err(credit_refusal(conn, found.id, |status| {
            format!("This monetary account is {status}; only an ACTIVE account takes payments.")
        })
        .await);
    };
    let transfer = provisio_core::ids::fresh_uuid().to_string();
    let side = Side {
        account: &found,
        transfer: &transfer,
        amount_minor: credit.amount_minor,
        counterparty_iban: &credit.from_iban,
        counterparty_name: &credit.from_name,
        description: &credit.description,
        merchant_reference: None,
        kind: PaymentType::EbaSct,
        balance_after_minor: Some(after),
    };
    record(conn, side, now).await.map(Some)
}
