//! Leasing rows to a claim token: the job queue and the webhook outbox claim work the same way.

use provisio_core::{time::Timestamp, StoreError};
use sqlx::{any::AnyRow, FromRow};

use crate::{
    batch::{Batch, Statement},
    db_err, Backend, SqlStore,
};

/// Leases the rows of `table` that `candidates` picks to `token` until `until`, and answers
/// the rows `claimed` reads: a `SELECT … FROM {leased} … WHERE locked_by = $1 AND
/// locked_until = $2 …`, where `{leased}` stands for the leased rows' table. `candidates` is a
/// `SELECT id …` that may use `$3` (now) and ends in `LIMIT $4`.
///
/// On SQLite, which has a single writer (so claims never overlap), a write of two statements
/// in one trip (see `batch`). On PostgreSQL one statement, which needs no transaction around
/// it: the `UPDATE … RETURNING` in a `WITH` and the read from what it returned (see `chain`),
/// skipping rows another claim is taking rather than waiting for them.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lease<R>(
    store: &SqlStore,
    table: &'static str,
    candidates: &'static str,
    claimed: &'static str,
    token: &str,
    now: Timestamp,
    until: Timestamp,
    limit: u32,
) -> Result<Vec<R>, StoreError>
where
    R: for<'r> FromRow<'r, AnyRow>,
{
    let update = move |skip_locked: &str, returning: &str| {
        Statement::new(format!(
            "UPDATE {table} SET locked_by = $1, locked_until = $2 \
             WHERE id IN ({candidates}{skip_locked}){returning}"
        ))
        .bind(token)
        .bind(until.micros())
        .bind(now.micros())
        .bind(i64::from(limit))
    };
    let rows = match store.backend {
        Backend::Postgres => {
            let leased = update(" FOR UPDATE SKIP LOCKED", " RETURNING *");
            let (sql, values) = leased.into_parts();
            let read = claimed.replace("{leased}", "leased");
            Statement::from_parts(format!("WITH leased AS ({sql}) {read}"), values)
                .fetch_all_from(&store.write)
                .await
                .map_err(db_err)?
        }
        Backend::Sqlite => {
            let mut batch = Batch::new();
            batch.push(update("", ""));
            let read = batch.push(
                Statement::new(claimed.replace("{leased}", table))
                    .bind(token)
                    .bind(until.micros()),
            );
            store
                .write(move |conn| {
                    Box::pin(async move {
                        let mut answers = batch.run(conn).await?;
                        Ok(answers.take(read))
                    })
                })
                .await?
        }
    };
    rows.iter()
        .map(R::from_row)
        .collect::<Result<_, _>>()
        .map_err(db_err)
}
