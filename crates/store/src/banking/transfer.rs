//! Payments on an exact ledger. A payment is one transaction: lock what it touches in a fixed
//! order (provisions by user id, then accounts by id, so two payments in opposite directions
//! cannot deadlock on PostgreSQL), debit the payer with a conditional UPDATE (`balance_minor >=
//! amount AND status = 'ACTIVE'`; no row changed means refused), check the daily limit under
//! that lock, credit the payee, write both sides' Payments and queue their webhooks. Any refusal
//! is an error out of the transaction, so nothing of it is written. On SQLite the single writer
//! serialises payments anyway.

use provisio_core::{
    account::{
        amount::{format_minor, max_balance_refusal, MAX_BALANCE_MINOR},
        payment::{day_start, Credit, NewPayment, Payment, PaymentPolicy, PaymentType},
        pointer::Pointer,
        AccountStatus, MonetaryAccount,
    },
    model::{MonetaryAccountId, UserId},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    accounts::{AccountRow, ACCOUNT_COLUMNS},
    ledger::{record, Side},
    pointers::resolve,
};
use crate::{frozen, rows::corrupt};

fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

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
    let row: Option<AccountRow> = match find {
        Find::Id(id) => {
            sqlx::query_as(&format!("{select} id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        Find::OwnedBy(id, user) => {
            sqlx::query_as(&format!("{select} id = $1 AND user_id = $2"))
                .bind(id)
                .bind(user.0)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    row.map(MonetaryAccount::try_from)
        .transpose()
        .map_err(corrupt)
}

/// Refuses when the user's provision is over; `payer` decides the wording.
async fn check_user(conn: &mut AnyConnection, user: i64, payer: bool) -> Result<(), sqlx::Error> {
    match frozen::provision_status(conn, user).await? {
        Some(status) if status.freezes_user() && payer => {
            Err(frozen::refuse(StoreError::UserFrozen(status)))
        }
        Some(status) if status.freezes_user() => Err(refused(format!(
            "The receiving account's user is {status}; its accounts take no payments."
        ))),
        _ => Ok(()),
    }
}

async fn lock_account(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE monetary_accounts SET updated = updated WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// Debits `amount` if the account is ACTIVE and holds it; answers the balance after and the
/// daily limit, or refuses saying why.
async fn debit(
    conn: &mut AnyConnection,
    account: &MonetaryAccount,
    amount: i64,
    now: Timestamp,
) -> Result<(i64, i64), sqlx::Error> {
    let after: Option<(i64, i64)> = sqlx::query_as(
        "UPDATE monetary_accounts SET balance_minor = balance_minor - $2, updated = $3 \
         WHERE id = $1 AND balance_minor >= $2 AND status = 'ACTIVE' \
         RETURNING balance_minor, daily_limit_minor",
    )
    .bind(account.id.0)
    .bind(amount)
    .bind(now.micros())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(after) = after {
        return Ok(after);
    }
    let now_is = find_account(conn, Find::Id(account.id.0)).await?;
    Err(match now_is {
        Some(a) if a.status != AccountStatus::Active => refused(format!(
            "This monetary account is {}; only an ACTIVE account can pay.",
            a.status
        )),
        Some(a) => refused(format!(
            "Insufficient balance: the account holds {} {}, the payment is {} {}.",
            format_minor(a.balance_minor),
            a.currency,
            format_minor(amount),
            a.currency
        )),
        None => sqlx::Error::RowNotFound,
    })
}

/// Credits `amount` if the account is ACTIVE and stays within [`MAX_BALANCE_MINOR`];
/// answers the balance after, or refuses saying why (`inactive` words the refusal of an
/// account that is not ACTIVE, given its status).
async fn credit_balance(
    conn: &mut AnyConnection,
    account: MonetaryAccountId,
    amount: i64,
    now: Timestamp,
    inactive: impl FnOnce(AccountStatus) -> String,
) -> Result<i64, sqlx::Error> {
    let after: Option<i64> = sqlx::query_scalar(
        "UPDATE monetary_accounts SET balance_minor = balance_minor + $2, updated = $3 \
         WHERE id = $1 AND status = 'ACTIVE' AND balance_minor <= $4 - $2 \
         RETURNING balance_minor",
    )
    .bind(account.0)
    .bind(amount)
    .bind(now.micros())
    .bind(MAX_BALANCE_MINOR)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(after) = after {
        return Ok(after);
    }
    Err(match find_account(conn, Find::Id(account.0)).await? {
        Some(a) if a.status != AccountStatus::Active => refused(inactive(a.status)),
        Some(a) => refused(max_balance_refusal(&a.currency)),
        None => sqlx::Error::RowNotFound,
    })
}

/// Refuses when today's outgoing payments (this one included) exceed `limit`. Card payments
/// have their own limit (the card's) and do not count here.
async fn check_daily_limit(
    conn: &mut AnyConnection,
    account: &MonetaryAccount,
    amount: i64,
    limit: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let spent: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(-amount_minor), 0) AS BIGINT) FROM payments \
         WHERE monetary_account_id = $1 AND amount_minor < 0 AND created >= $2 \
         AND type <> 'MASTERCARD'",
    )
    .bind(account.id.0)
    .bind(day_start(now).micros())
    .fetch_one(&mut *conn)
    .await?;
    if spent + amount > limit {
        return Err(refused(format!(
            "This payment would exceed the account's daily limit of {} {}: {} {} already paid today (UTC).",
            format_minor(limit),
            account.currency,
            format_minor(spent),
            account.currency
        )));
    }
    Ok(())
}

/// Whom a payment pays: the account held here (`None` for money leaving provisio) and the
/// counterparty the payer's side records.
struct Payee {
    account: Option<MonetaryAccount>,
    iban: String,
    name: String,
}

/// The payee the payment's pointer names (resolved here, inside the payment's transaction),
/// checked against the payer and the policy.
async fn payee(
    conn: &mut AnyConnection,
    payer: &MonetaryAccount,
    payment: &NewPayment,
    policy: &PaymentPolicy,
    now: Timestamp,
) -> Result<Payee, sqlx::Error> {
    let resolved = resolve(conn, &payment.counterparty, now).await?;
    let elsewhere = |iban: String, name: String| {
        if policy.external {
            Ok(Payee {
                account: None,
                iban,
                name,
            })
        } else {
            Err(refused(
                "This user may pay only to its own accounts and its partner's (PSD2); the IBAN is not one of them.",
            ))
        }
    };
    let resolved = match (resolved, &payment.counterparty) {
        (None, Pointer::Iban { iban, name }) => return elsewhere(iban.clone(), name.clone()),
        (None, pointer) => return Err(refused(unknown_pointer(pointer))),
        (Some(r), _) if r.pays_out() => return elsewhere(r.iban, r.name),
        (Some(r), _) => r,
    };
    let user = resolved.user;
    let Some(account) = resolved.account else {
        return Err(refused(format!(
            "{} has no active account to receive this payment.",
            resolved.name
        )));
    };
    if account.id == payer.id {
        return Err(refused("An account cannot pay itself."));
    }
    if let Some(allowed) = &policy.payees {
        if !allowed.contains(&user) {
            return Err(refused(format!(
                "This user may pay only to its own accounts and its partner's (PSD2); the {} belongs to someone else.",
                match payment.counterparty {
                    Pointer::Iban { .. } => "IBAN",
                    Pointer::Email(_) => "email address",
                    Pointer::Phone(_) => "phone number",
                }
            )));
        }
    }
    if account.currency != payer.currency {
        return Err(refused(format!(
            "The receiving account holds {}, not {}; payments are in one currency.",
            account.currency, payer.currency
        )));
    }
    Ok(Payee {
        iban: resolved.iban,
        name: resolved.name,
        account: Some(account),
    })
}

/// The refusal of an email address or phone number that names no user here.
fn unknown_pointer(pointer: &Pointer) -> String {
    let what = match pointer {
        Pointer::Phone(_) => "phone number",
        _ => "email address",
    };
    format!(
        "The counterparty's {what} {} does not belong to a bunq user; pay an IBAN instead.",
        provisio_core::text::quoted(pointer.value())
    )
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
    for (id, is_payer) in users {
        check_user(conn, id, is_payer || id == payer.user_id.0).await?;
    }
    accounts.sort_unstable();
    for id in accounts {
        lock_account(conn, id).await?;
    }
    let amount = payment.amount_minor;
    let (payer_after, limit) = debit(conn, &payer, amount, now).await?;
    check_daily_limit(conn, &payer, amount, limit, now).await?;
    let transfer = uuid::Uuid::new_v4().to_string();
    let mut payee_side = None;
    if let Some(payee) = &payee {
        let payee_after = credit_balance(conn, payee.id, amount, now, |_| {
            "The receiving account is not ACTIVE; it takes no payments.".to_owned()
        })
        .await?;
        let side = record(
            conn,
            Side {
                account: payee,
                transfer: &transfer,
                amount_minor: amount,
                counterparty_iban: &payer.iban,
                counterparty_name: &payer.display_name,
                description: &payment.description,
                merchant_reference: payment.merchant_reference.as_deref(),
                kind: PaymentType::Bunq,
                balance_after_minor: payee_after,
            },
            now,
        )
        .await?;
        payee_side = Some(side);
    }
    let kind = if payee.is_some() {
        PaymentType::Bunq
    } else {
        PaymentType::EbaSct
    };
    let paid = record(
        conn,
        Side {
            account: &payer,
            transfer: &transfer,
            amount_minor: -amount,
            counterparty_iban: &counterparty_iban,
            counterparty_name: &counterparty_name,
            description: &payment.description,
            merchant_reference: payment.merchant_reference.as_deref(),
            kind,
            balance_after_minor: payer_after,
        },
        now,
    )
    .await?;
    Ok(Some(Paid {
        payer: paid,
        payee: payee_side,
    }))
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
    check_user(conn, found.user_id.0, false).await?;
    let after = credit_balance(conn, found.id, credit.amount_minor, now, |status| {
        format!("This monetary account is {status}; only an ACTIVE account takes payments.")
    })
    .await?;
    let transfer = uuid::Uuid::new_v4().to_string();
    let side = Side {
        account: &found,
        transfer: &transfer,
        amount_minor: credit.amount_minor,
        counterparty_iban: &credit.from_iban,
        counterparty_name: &credit.from_name,
        description: &credit.description,
        merchant_reference: None,
        kind: PaymentType::EbaSct,
        balance_after_minor: after,
    };
    record(conn, side, now).await.map(Some)
}
