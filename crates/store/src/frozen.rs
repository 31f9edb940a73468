//! Closed users stay closed. Every write to a provisioned user's data (onboarding, compliance,
//! attachments, notification filters, accounts, cards) first calls [`writable`] inside its own
//! transaction (payments and the card timers read [`provision_status`] and decide): it takes
//! the user's provision row and refuses when the provision is CANCELLED, CLOSED or FAILED. A
//! merchant's authorisation only takes the row ([`card_owner_status`]): a closed user's cards
//! are CANCELLED by the end, so it is declined as on any cancelled card. The HTTP layer
//! refuses earlier too, but only this check is atomic with the write: a closure that commits
//! first is seen here (the row lock waits for it, then reads its result), and a closure that
//! comes second waits for the write to commit. Either way no write, and no webhook, follows the
//! closure.

use provisio_core::{provision::Status, StoreError};
use sqlx::{any::AnyRow, AnyConnection, Row};

use crate::{
    batch::{Batch, Statement},
    rows::{corrupt, parse},
    writer::single_writer,
};

/// The status of the user's provision, with the provision row locked until the transaction
/// ends; `None` for a user without a provision.
pub(crate) async fn provision_status(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Option<Status>, sqlx::Error> {
    locked_status(conn, "user_id = $1", user).await
}

/// The statuses of the provisions of `users` (those that have one), read in one statement
/// with their rows locked until the transaction ends, in user id order (so two writes that
/// lock the same users cannot deadlock on PostgreSQL; SQLite's single writer needs no lock).
pub(crate) async fn provision_statuses(
    conn: &mut AnyConnection,
    users: &[i64],
) -> Result<Vec<(i64, Status)>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut read = Batch::new();
    read.push(statuses_statement(users, !single_writer(conn)));
    statuses_from(read.run(conn).await?.rows(0))
}

/// The query of [`provision_statuses`] (`users` at least one), for a write that sends it
/// with other statements in one [`Batch`]; `lock_rows` on PostgreSQL (SQLite's single
/// writer needs no lock).
pub(crate) fn statuses_statement(users: &[i64], lock_rows: bool) -> Statement {
    let places = crate::placeholders(1, users.len());
    // The locking clause applies after ORDER BY, so the rows are locked in that order; a
    // locked row is read as its newest committed version (READ COMMITTED). NO KEY UPDATE is
    // the lock the no-op UPDATE of [`provision_status`] takes: rows that only refer to the
    // provision (its history, its jobs) are not held up by it.
    let lock = if lock_rows {
        " ORDER BY user_id FOR NO KEY UPDATE"
    } else {
        ""
    };
    let sql = format!("SELECT user_id, status FROM provisions WHERE user_id IN ({places}){lock}");
    users
        .iter()
        .fold(Statement::new(sql), |select, user| select.bind(*user))
}

/// The answer of [`statuses_statement`].
pub(crate) fn statuses_from(rows: &[AnyRow]) -> Result<Vec<(i64, Status)>, sqlx::Error> {
    rows.iter()
        .map(|row| {
            let user: i64 = row.try_get("user_id")?;
            let status: String = row.try_get("status")?;
            Ok((user, parse(Status::parse, &status).map_err(corrupt)?))
        })
        .collect()
}

/// Refuses (rolling the transaction back) when the user's provision is over.
pub(crate) async fn writable(conn: &mut AnyConnection, user: i64) -> Result<(), sqlx::Error> {
    refuse_frozen(provision_status(conn, user).await?)
}

/// [`provision_status`] for the owner of card `card`, found in the same statement (the card
/// network's hot path, where each statement is a round trip); `None` for an unknown card too:
/// the caller's lookup of the card says so.
pub(crate) async fn card_owner_status(
    conn: &mut AnyConnection,
    card: i64,
) -> Result<Option<Status>, sqlx::Error> {
    let owner = "user_id = (SELECT user_id FROM cards WHERE id = $1)";
    locked_status(conn, owner, card).await
}

/// The status of the provision `condition` (on `$1` = `id`) names, its row locked.
async fn locked_status(
    conn: &mut AnyConnection,
    condition: &str,
    id: i64,
) -> Result<Option<Status>, sqlx::Error> {
    // A no-op UPDATE locks the row on PostgreSQL (and, under READ COMMITTED, reads the newest
    // committed status after waiting); SQLite has one writer, so the read alone is enough
    // there, and the statement means the same on both.
    let status: Option<String> = sqlx::query_scalar(&format!(
        "UPDATE provisions SET status = status WHERE {condition} RETURNING status"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    status
        .map(|s| parse(Status::parse, &s))
        .transpose()
        .map_err(corrupt)
}

fn refuse_frozen(status: Option<Status>) -> Result<(), sqlx::Error> {
    match status {
        Some(status) if status.freezes_user() => Err(refuse(StoreError::UserFrozen(status))),
        _ => Ok(()),
    }
}

/// Carries a refusal out of a transaction as its error; `db_err` unwraps it again.
pub(crate) fn refuse(err: StoreError) -> sqlx::Error {
    corrupt(err)
}
