//! Idempotent writes: [`SqlStore::write_once`] claims a request's [`IdempotencyKey`] inside the
//! write's own transaction (see `provisio_core::idempotency`).
//!
//! The claim is the first statement of the write: an `INSERT … ON CONFLICT DO NOTHING` on the
//! key. A new key is the write's to do; it runs and stores what it made (its [`Kept::answer`],
//! an id) on the key, and both commit or neither does. A key already kept is a retry: the
//! write does nothing and answers what the first one made, read again by that id. Two retries
//! racing on PostgreSQL meet at the key's primary key: the second waits for the first's
//! transaction and then finds its key (or, if it rolled back, claims it itself); SQLite's
//! single writer runs them one after the other. A refusal rolls the claim back with the rest,
//! so a refused request leaves no key and its retry is decided afresh.
//!
//! Keys are kept [`KEPT_FOR`] on the virtual clock: an older one counts as absent, and each
//! new claim deletes a few expired keys (bounded; PostgreSQL skips rows another write holds,
//! and deletes them in the claim's own statement).
//!
//! Each statement goes as a statement of its own (`batch::Statement`): on SQLite's writer, no
//! trip to sqlx's thread.

use provisio_core::{
    error::Outcome,
    idempotency::{IdempotencyKey, KEPT_FOR, OTHER_BODY},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use crate::{batch::Statement, chain::chains_writes, frozen, writer::BoxFuture, Backend, SqlStore};

/// How many expired keys a claim deletes at most: more than one, so the purge keeps up.
const PURGE_BATCH: i64 = 8;

/// What a write that opted in keeps of its outcome, to answer a retry with.
pub(crate) trait Kept: Sized + Send + 'static {
    /// Names what the write made (its id), as text.
    fn answer(&self) -> String;
    /// What `answer` names, as it is now; `None` if it is gone.
    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>>;
}

/// The id an answer names.
pub(crate) fn kept_id(answer: &str) -> Result<i64, sqlx::Error> {
    answer.parse().map_err(|_| {
        crate::rows::corrupt(StoreError::Corrupt(format!(
            "an idempotency key's answer is not an id: {answer}"
        )))
    })
}

/// Whether the write is the key's first.
enum Claim {
    New,
    /// A retry: what the first write made (`""` for nothing).
    Kept(String),
}

impl SqlStore {
    /// Like [`SqlStore::write`], for a write that moves money and answers what it made (or
    /// `None`): with `once`, the key is claimed in the write's transaction and a retry answers
    /// the first outcome instead of running `job` again.
    pub(crate) async fn write_once<T, F>(
        &self,
        once: Option<&IdempotencyKey>,
        now: Timestamp,
        job: F,
    ) -> Result<Option<T>, StoreError>
    where
        T: Kept,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<Option<T>, sqlx::Error>>
            + Send
            + 'static,
    {
        let Some(once) = once.cloned() else {
            return self.write(job).await;
        };
        let backend = self.backend;
        let lose_answer = self.loses_next_answer();
        let made = self
            .write(move |conn| {
                Box::pin(async move {
                    match claim(conn, backend, &once, now).await? {
                        Claim::Kept(answer) if answer.is_empty() => Ok(None),
                        Claim::Kept(answer) => T::find(conn, answer).await,
                        Claim::New => {
                            let made = job(&mut *conn).await?;
                            let answer = made.as_ref().map(Kept::answer).unwrap_or_default();
                            keep(conn, &once, &answer).await?;
                            Ok(made)
                        }
                    }
                })
            })
            .await?;
        if lose_answer {
            return Err(StoreError::Unavailable {
                outcome: Outcome::Unknown,
                source: "the connection was lost after COMMIT was sent (injected by a test)".into(),
            });
        }
        Ok(made)
    }

    /// Whether a test asked that this store's next keyed write lose its COMMIT's answer (see
    /// `testing::lose_next_commit_answer`).
    #[cfg(feature = "testing")]
    fn loses_next_answer(&self) -> bool {
        crate::testing::take_lost_commit_answer(&self.url)
    }

    #[cfg(not(feature = "testing"))]
    fn loses_next_answer(&self) -> bool {
        false
    }
}

async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    once: &IdempotencyKey,
    now: Timestamp,
) -> Result<Claim, sqlx::Error> {
    let kept_for = i64::try_from(KEPT_FOR.as_micros()).unwrap_or(i64::MAX);
    let expired = now.micros().saturating_sub(kept_for);
    // A key purged by another write between two of these statements is claimed again; twice
    // is more than a purge can take away.
    for _ in 0..3 {
        if insert_and_purge(conn, backend, once, now, expired).await? {
            return Ok(Claim::New);
        }
        if renew(conn, once, now, expired).await? {
            return Ok(Claim::New);
        }
        let kept: Option<(String, String)> =
            Statement::new("SELECT body_hash, answer FROM idempotency_keys WHERE request_key = $1")
                .bind(once.key.as_str())
                .fetch_optional_as(conn)
                .await?;
        match kept {
            Some((body, _)) if body != once.body => {
                return Err(frozen::refuse(StoreError::Refused(OTHER_BODY.to_owned())))
            }
            Some((_, answer)) => return Ok(Claim::Kept(answer)),
            None => continue,
        }
    }
    Err(sqlx::Error::RowNotFound)
}

/// Inserts the key unless it exists, and when it did, purges expired keys (see [`purge`]);
/// on PostgreSQL, waits for a transaction inserting the same key and then finds it (or, if
/// that one rolled back, inserts it). On PostgreSQL both in one statement (`chain`): the
/// purge reads the keys as they were before the insert, and runs only if it inserted.
async fn insert_and_purge(
    conn: &mut AnyConnection,
    backend: Backend,
    once: &IdempotencyKey,
    now: Timestamp,
    expired: i64,
) -> Result<bool, sqlx::Error> {
    let insert = "INSERT INTO idempotency_keys (request_key, body_hash, answer, created) \
                  VALUES ($1, $2, '', $3) ON CONFLICT (request_key) DO NOTHING RETURNING 1";
    let chained = chains_writes(conn);
    let statement = if chained {
        Statement::new(format!(
            "WITH claimed AS ({insert}), \
             purged AS (DELETE FROM idempotency_keys WHERE request_key IN ( \
                 SELECT request_key FROM idempotency_keys \
                 WHERE created < $4 AND EXISTS (SELECT 1 FROM claimed) \
                 ORDER BY created LIMIT $5 FOR UPDATE SKIP LOCKED)) \
             SELECT 1 FROM claimed"
        ))
        .bind(once.key.as_str())
        .bind(once.body.as_str())
        .bind(now.micros())
        .bind(expired)
        .bind(PURGE_BATCH)
    } else {
        Statement::new(insert)
            .bind(once.key.as_str())
            .bind(once.body.as_str())
            .bind(now.micros())
    };
    let inserted = !statement.fetch_all(conn).await?.is_empty();
    if inserted && !chained {
        purge(conn, backend, expired).await?;
    }
    Ok(inserted)
}

/// Takes over a key past its day. Conditional, so of two retries renewing it at once only
/// one does (the other waits for it, then finds the key fresh).
async fn renew(
    conn: &mut AnyConnection,
    once: &IdempotencyKey,
    now: Timestamp,
    expired: i64,
) -> Result<bool, sqlx::Error> {
    let renewed = Statement::new(
        "UPDATE idempotency_keys SET body_hash = $2, answer = '', created = $3 \
         WHERE request_key = $1 AND created < $4 RETURNING 1",
    )
    .bind(once.key.as_str())
    .bind(once.body.as_str())
    .bind(now.micros())
    .bind(expired)
    .fetch_all(conn)
    .await?;
    Ok(!renewed.is_empty())
}

/// Records what the key's write made, in its transaction.
async fn keep(
    conn: &mut AnyConnection,
    once: &IdempotencyKey,
    answer: &str,
) -> Result<(), sqlx::Error> {
    Statement::new("UPDATE idempotency_keys SET answer = $2 WHERE request_key = $1")
        .bind(once.key.as_str())
        .bind(answer)
        .fetch_all(conn)
        .await
        .map(drop)
}

/// Deletes up to [`PURGE_BATCH`] keys created before `expired`, the oldest first.
async fn purge(
    conn: &mut AnyConnection,
    backend: Backend,
    expired: i64,
) -> Result<(), sqlx::Error> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    Statement::new(format!(
        "DELETE FROM idempotency_keys WHERE request_key IN (SELECT request_key \
         FROM idempotency_keys WHERE created < $1 ORDER BY created LIMIT $2{skip_locked})"
    ))
    .bind(expired)
    .bind(PURGE_BATCH)
    .fetch_all(conn)
    .await
    .map(drop)
}
