//! Leasing rows to a claim token: the job queue and the webhook outbox claim work the same way.

use provisio_core::time::Timestamp;
use sqlx::AnyConnection;

use crate::Backend;

/// Leases the rows of `table` that `candidates` picks to `token` until `until`.
/// `candidates` is a `SELECT id …` that may use `$3` (now) and ends in `LIMIT $4`.
/// PostgreSQL skips rows another claim is taking rather than waiting for them; SQLite has a
/// single writer, so claims never overlap there.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn lease(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    candidates: &str,
    token: &str,
    now: Timestamp,
    until: Timestamp,
    limit: u32,
) -> Result<(), sqlx::Error> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    sqlx::query(&format!(
        "UPDATE {table} SET locked_by = $1, locked_until = $2 WHERE id IN ({candidates}{skip_locked})"
    ))
    .bind(token)
    .bind(until.micros())
    .bind(now.micros())
    .bind(i64::from(limit))
    .execute(conn)
    .await?;
    Ok(())
}
