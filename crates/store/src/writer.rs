//! Every write goes through [`SqlStore::write`].
//!
//! On PostgreSQL that is simply one transaction per write: the server groups concurrent
//! commits into one WAL flush by itself. SQLite has one writer and one fsync per commit, so a
//! single writer task does group commit instead: it takes every write waiting, runs each in
//! its own SAVEPOINT inside one `BEGIN IMMEDIATE` transaction, commits once, and only then
//! answers the callers. A write that fails rolls back to its savepoint and fails alone; a
//! commit that fails fails every write in the batch. Nobody is told "done" before the commit
//! that made their write durable has returned.

use std::{
    cell::Cell,
    future::Future,
    pin::Pin,
    sync::{atomic::Ordering, Arc, Mutex},
};

use provisio_core::{error::Outcome, StoreError};
use sqlx::{AnyConnection, AnyPool, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::{db_err, direct::Direct, is_unavailable, Backend, SqlStore};

pub(crate) type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

type ErasedJob =
    Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<(), sqlx::Error>> + Send>;

struct Write {
    job: ErasedJob,
    done: oneshot::Sender<Result<(), sqlx::Error>>,
}

/// Most writes one SQLite commit carries.
const MAX_BATCH: usize = 256;

/// The SQLite group-commit writer's mailbox.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    tx: mpsc::Sender<Write>,
}

impl Writer {
    /// Starts the writer task on the single-connection write pool.
    pub(crate) fn spawn(pool: AnyPool) -> Writer {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(pool, rx));
        Writer { tx }
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<Write>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let outcome = match pool.acquire().await {
            Ok(mut conn) => commit_batch(&mut conn, &mut batch).await,
            Err(err) => Err(err),
        };
        for (write, result) in batch.drain(..).zip(outcome_per_write(outcome)) {
            let _ = write.done.send(result);
        }
    }
}

/// Per-write results; a failed commit is every write's failure.
fn outcome_per_write(
    outcome: Result<Vec<Result<(), sqlx::Error>>, sqlx::Error>,
) -> impl Iterator<Item = Result<(), sqlx::Error>> {
    let (results, failed) = match outcome {
        Ok(results) => (results, None),
        Err(err) => (Vec::new(), Some(Arc::new(err))),
    };
    let mut results = results.into_iter();
    std::iter::from_fn(move || match &failed {
        // sqlx's errors cannot be cloned: each write gets a copy of the text, as an I/O error
        // when the database was busy or away (so `db_err` answers "unavailable"; SQLite's
        // commit is all or nothing, so nothing of the batch was applied).
        Some(err) if is_unavailable(err) => Some(Err(sqlx::Error::Io(std::io::Error::other(
            format!("commit failed: {err}"),
        )))),
        Some(err) => Some(Err(sqlx::Error::Protocol(format!("commit failed: {err}")))),
        None => results.next(),
    })
}

async fn commit_batch(
    conn: &mut AnyConnection,
    batch: &mut [Write],
) -> Result<Vec<Result<(), sqlx::Error>>, sqlx::Error> {
    let direct = match Direct::begin(conn, "BEGIN IMMEDIATE").await {
        Ok(direct) => direct,
        Err(err) => {
            let _ = conn.execute("ROLLBACK").await;
            return Err(err);
        }
    };
    match run_writes(conn, &direct, batch).await {
        Ok(results) => {
            // Its statements finalized before sqlx sees the connection again (see `direct`).
            direct.finish();
            if let Err(err) = conn.execute("COMMIT").await {
                let _ = conn.execute("ROLLBACK").await;
                return Err(err);
            }
            Ok(results)
        }
        Err(err) => {
            // Through sqlx first: it waits for what sqlx's thread still does after an error.
            let _ = conn.execute("ROLLBACK").await;
            direct.finish();
            Err(err)
        }
    }
}

/// Runs each write in its own savepoint. The savepoints, and every `Batch` of a write, the
/// writer task runs itself (`direct`): on this one writer, each trip to sqlx's thread and
/// back was time no other write could use.
async fn run_writes(
    conn: &mut AnyConnection,
    direct: &Direct,
    batch: &mut [Write],
) -> Result<Vec<Result<(), sqlx::Error>>, sqlx::Error> {
    let mut results = Vec::with_capacity(batch.len());
    for write in batch.iter_mut() {
        let job = std::mem::replace(&mut write.job, Box::new(|_| Box::pin(async { Ok(()) })));
        direct.execute("SAVEPOINT one_write")?;
        let result = crate::direct::scope(direct.clone(), job(conn)).await;
        if result.is_err() {
            // Through sqlx, not `direct`: after an error sqlx's thread may still be resetting
            // the statement that failed, and this command waits for it.
            conn.execute("ROLLBACK TO one_write").await?;
        }
        direct.execute("RELEASE one_write")?;
        results.push(result);
    }
    Ok(results)
}

tokio::task_local! {
    /// Whether the write running on this task queued webhook deliveries
    /// ([`note_deliveries_queued`]).
    static QUEUED: Cell<bool>;
}

/// Notes that the running write queued webhook deliveries: once it commits, the store's count
/// of such writes moves (`WebhookStore::deliveries_queued`), which wakes the dispatcher.
pub(crate) fn note_deliveries_queued() {
    // Outside a write there is nothing to commit, and nothing to count.
    let _ = QUEUED.try_with(|queued| queued.set(true));
}

/// Runs `write`, answering what it answered and whether it queued deliveries.
async fn noting_queued<T>(write: impl Future<Output = T>) -> (T, bool) {
    QUEUED
        .scope(Cell::new(false), async move {
            let answer = write.await;
            (answer, QUEUED.with(Cell::get))
        })
        .await
}

/// Whether `conn` is SQLite's, where one writer runs every write in turn: row locks taken
/// only to order concurrent writers (PostgreSQL's) are not needed there.
pub(crate) fn single_writer(conn: &AnyConnection) -> bool {
    conn.backend_name() == "SQLite"
}

impl SqlStore {
    /// Runs `job` as one atomic, durable write and returns what it produced.
    pub(crate) async fn write<T, F>(&self, job: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        match (self.backend, &self.writer) {
            (Backend::Sqlite, Some(writer)) => {
                let slot = Arc::new(Mutex::new(None));
                let out = slot.clone();
                let job: ErasedJob = Box::new(move |conn| {
                    Box::pin(async move {
                        let (value, queued) = noting_queued(job(conn)).await;
                        let value = value?;
                        if let Ok(mut out) = out.lock() {
                            *out = Some((value, queued));
                        }
                        Ok(())
                    })
                });
                let (done, finished) = oneshot::channel();
                writer
                    .tx
                    .send(Write { job, done })
                    .await
                    .map_err(|_| StoreError::Corrupt("the SQLite writer has stopped".into()))?;
                finished
                    .await
                    .map_err(|_| StoreError::Corrupt("the SQLite writer has stopped".into()))?
                    .map_err(db_err)?;
                let value = slot.lock().ok().and_then(|mut v| v.take());
                let (value, queued) = value.ok_or_else(|| {
                    StoreError::Corrupt("a committed write lost its result".into())
                })?;
                self.count_queued(queued);
                Ok(value)
            }
            _ => {
                let mut tx = self.write.begin().await.map_err(db_err)?;
                let (value, queued) = noting_queued(job(&mut tx)).await;
                let value = value.map_err(db_err)?;
                tx.commit().await.map_err(|err| match db_err(err) {
                    // The COMMIT may have reached the database before the connection broke.
                    StoreError::Unavailable { source, .. } => StoreError::Unavailable {
                        outcome: Outcome::Unknown,
                        source,
                    },
                    other => other,
                })?;
                self.count_queued(queued);
                Ok(value)
            }
        }
    }

    /// After a commit: counts it if its write queued deliveries.
    fn count_queued(&self, queued: bool) {
        if queued {
            self.deliveries_queued.fetch_add(1, Ordering::Release);
        }
    }
}
