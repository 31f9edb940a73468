//! The dashboard's sessions, server-side: a row per signed-in operator, keyed by the hash of
//! the cookie's token, ended by signing out or by running out (idle or too old).

use provisio_core::{
    store::{DashboardSessionLimits, StoreResult},
    time::Timestamp,
};

use crate::{db_err, SqlStore};

pub(super) async fn start(
    store: &SqlStore,
    token_hash: &str,
    now: Timestamp,
    limits: DashboardSessionLimits,
) -> StoreResult<()> {
    let token_hash = token_hash.to_owned();
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM dashboard_sessions WHERE last_seen < $1 OR created < $2")
                    .bind(now.micros().saturating_sub(limits.idle))
                    .bind(now.micros().saturating_sub(limits.lifetime))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO dashboard_sessions (token_hash, created, last_seen) \
                     VALUES ($1, $2, $2)",
                )
                .bind(token_hash)
                .bind(now.micros())
                .execute(&mut *conn)
                .await
                .map(drop)
            })
        })
        .await
}

/// Read first, so a page view costs no write; the last use is written only when it is older
/// than `touch_every` (so a session may run out up to that much before its idle time).
pub(super) async fn live(
    store: &SqlStore,
    token_hash: &str,
    now: Timestamp,
    limits: DashboardSessionLimits,
) -> StoreResult<bool> {
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT created, last_seen FROM dashboard_sessions WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&store.read)
            .await
            .map_err(db_err)?;
    let Some((created, last_seen)) = found else {
        return Ok(false);
    };
    let at = now.micros();
    if at.saturating_sub(last_seen) > limits.idle || at.saturating_sub(created) > limits.lifetime {
        end(store, token_hash).await?;
        return Ok(false);
    }
    if at.saturating_sub(last_seen) >= limits.touch_every {
        let token_hash = token_hash.to_owned();
        store
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query(
                        "UPDATE dashboard_sessions SET last_seen = $2 \
                         WHERE token_hash = $1 AND last_seen < $2",
                    )
                    .bind(token_hash)
                    .bind(at)
                    .execute(&mut *conn)
                    .await
                    .map(drop)
                })
            })
            .await?;
    }
    Ok(true)
}

pub(super) async fn end(store: &SqlStore, token_hash: &str) -> StoreResult<()> {
    let token_hash = token_hash.to_owned();
    store
        .write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM dashboard_sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&mut *conn)
                    .await
                    .map(drop)
            })
        })
        .await
}
