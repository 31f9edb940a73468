//! Leasing rows to a claim token: the job queue and the webhook outbox claim work the same way.

use provisio_core::time::Timestamp;
use sqlx::{any::AnyRow, AnyConnection, FromRow};

use crate::{
    batch::{Batch, Statement},
    Backend,
};

/// Leases the rows of `table` that `candidates` picks to `token` until `until`, and answers
/// the rows `claimed` reads: a `SELECT … WHERE locked_by = $1 AND locked_until = $2 …`.
/// `candidates` is a `SELECT id …` that may use `$3` (now) and ends in `LIMIT $4`. Both go in
/// one trip (see `batch`). PostgreSQL skips rows another claim is taking rather than waiting
/// for them; SQLite has a single writer, so claims never overlap there.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lease<R>(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    candidates: &str,
    claimed: &str,
    token: &str,
    now: Timestamp,
    until: Timestamp,
    limit: u32,
) -> Result<Vec<R>, sqlx::Error>
where
    R: for<'r> FromRow<'r, AnyRow>,
{
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut batch = Batch::new();
    batch.push(
        Statement::new(format!(
            "UPDATE {table} SET locked_by = $1, locked_until = $2 WHERE id IN ({candidates}{skip_locked})"
        ))
        .bind(token)
        .bind(until.micros())
        .bind(now.micros())
        .bind(i64::from(limit)),
    );
    let read = batch.push(Statement::new(claimed).bind(token).bind(until.micros()));
    let answers = batch.run(conn).await?;
    answers.rows(read).iter().map(R::from_row).collect()
}
