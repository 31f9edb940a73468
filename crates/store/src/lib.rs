//! provisio's storage: one SQL codebase, two databases.
//!
//! Design: queries are written once, in the dialect SQLite and PostgreSQL share (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`), and run through sqlx's `Any` driver. Times are
//! integer microseconds and booleans are avoided, so every column decodes the same way on both.
//! Where the dialects must differ (migrations, connection set-up, claiming rows) the code
//! branches on [`Backend`]; where PostgreSQL can do in one statement what SQLite does in
//! several, and each statement is a round trip, it does (`chain`). Correctness is pinned by
//! the contract suite in `tests/contract.rs`, which runs unchanged against both backends.
//!
//! SQLite allows one writer at a time. Rather than let concurrent write transactions collide
//! (a deferred transaction that upgrades to a write lock fails with SQLITE_BUSY instead of
//! waiting), writes go through a pool of one connection and reads through a separate pool.
//! On PostgreSQL both are the same pool.
//!
//! Layout: one folder per domain, named as in core, each importing only the folders below it
//! and the common modules at the root (each folder's `mod.rs` says what it holds and may
//! import):
//!
//! ```text
//! sandbox                                (the operator's controls and figures)
//! cards        -> banking, webhooks
//! context      -> provisioning, banking
//! banking      -> webhooks
//! onboarding   -> provisioning, webhooks
//! provisioning -> webhooks
//! webhooks                               (the outbox and its deliveries)
//! ```
//!
//! Common: `connect` (opening a database, migrations), `writer` (every write), `batch`
//! (several statements of a write in one trip), `chain` (on PostgreSQL, a write's statements
//! in one), `direct` (SQLite's writer running statements itself), `readers` (SQLite's point
//! reads run by the task that asks), `page` (paged lists), `lease` (claiming rows), `rows`
//! (parsing stored values), `frozen` (closed users stay closed), `feed` (the user's events,
//! recorded by every domain), `testing`. A common module imports no domain folder.

mod avatars;
mod banking;
mod batch;
mod cards;
mod chain;
mod connect;
mod context;
mod direct;
mod feed;
mod frozen;
mod idempotency;
mod lease;
mod onboarding;
mod page;
mod provisioning;
mod readers;
mod rows;
mod sandbox;
#[cfg(feature = "testing")]
pub mod testing;
mod webhooks;
mod writer;

use std::sync::{atomic::AtomicU64, Arc, OnceLock};

use provisio_core::{sealing::SealingKey, StoreError};
use sqlx::AnyPool;

pub use connect::{connect, redact_url, ConnectError, StoreConfig, Timeouts};

/// Which database is behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The store, on either backend.
#[derive(Debug, Clone)]
pub struct SqlStore {
    backend: Backend,
    read: AnyPool,
    write: AnyPool,
    /// SQLite's group-commit writer (see `writer`); none on PostgreSQL.
    writer: Option<writer::Writer>,
    /// SQLite's point reads, run by the task that asks (see `readers`); none on PostgreSQL
    /// and for a database in memory.
    readers: Option<Arc<readers::Readers>>,
    /// How many of this process's writes have queued webhook deliveries, counted after each
    /// one's commit (`writer::note_deliveries_queued`).
    deliveries_queued: Arc<AtomicU64>,
    /// The key that seals card secrets, given once the server key is known (see
    /// `cards::sealing`); shared by the store's clones.
    sealing: Arc<OnceLock<Arc<SealingKey>>>,
    /// The database's URL, by which a test names the store it injects a fault into.
    #[cfg(feature = "testing")]
    url: String,
}

impl SqlStore {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pools; pending writes have completed when this returns.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
        if let Some(readers) = &self.readers {
            readers.close();
        }
    }
}

/// Whether `err` means the database is away or busy past a timeout, rather than that the
/// request or the data is wrong: waiting and trying again may succeed.
pub(crate) fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// SQLite's READONLY: the file cannot be written.
pub(crate) fn is_sqlite_read_only(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| sqlite_primary_code(&code))
            .is_some_and(|code| code == 8),
        _ => false,
    }
}

/// The primary result code of a SQLite error code (an extended code carries it in its low
/// byte); `None` for PostgreSQL's five-character SQLSTATEs. SQLite's codes, extended ones
/// included, have at most four digits.
fn sqlite_primary_code(code: &str) -> Option<i64> {
    if code.len() >= 5 {
        return None;
    }
    code.parse::<i64>().ok().map(|code| code & 0xff)
}

/// PostgreSQL's SQLSTATEs and SQLite's result codes that mean "not now".
fn unavailable_code(code: &str) -> bool {
    if let Some(primary) = sqlite_primary_code(code) {
        // SQLite: BUSY past busy_timeout, LOCKED, READONLY (a file that cannot be written,
        // e.g. made immutable).
        return matches!(primary, 5 | 6 | 8);
    }
    // PostgreSQL: connection exceptions (08…), insufficient resources such as too many
    // connections (53…), operator intervention such as a shutdown (57P…), the
    // statement_timeout (57014), the lock_timeout (55P03), a read-only transaction on a
    // standby (25006).
    code.starts_with("08")
        || code.starts_with("53")
        || code.starts_with("57P")
        || matches!(code, "57014" | "55P03" | "25006")
}

/// Maps a sqlx error to the domain's storage error, separating unique violations so callers
/// can turn them into domain errors at the call site. A `StoreError` carried out of a
/// transaction (`rows::corrupt`, `frozen::refuse`) comes out as itself.
pub(crate) fn db_err(err: sqlx::Error) -> StoreError {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::UniqueViolation(Box::new(sqlx::Error::Database(db)))
        }
        err if is_unavailable(&err) => StoreError::unavailable(err),
        sqlx::Error::Decode(inner) => match inner.downcast::<StoreError>() {
            Ok(carried) => *carried,
            Err(inner) => StoreError::Database(Box::new(sqlx::Error::Decode(inner))),
        },
        other => StoreError::Database(Box::new(other)),
    }
}

/// `count` numbered placeholders from `$first`, comma-separated (`$3, $4, $5`): an `IN (…)`
/// list or a row of a multi-row `VALUES`, both databases numbering alike.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// [`placeholders`] for `values` from `$first`, their count padded to the next power of two
/// by repeating the last value, and the values to bind: a list in `IN (…)` that varies in
/// length makes a few statements' texts, not one a length (each text is prepared anew).
pub(crate) fn padded_placeholders(first: usize, values: &[i64]) -> (String, Vec<i64>) {
    let padded = if values.is_empty() {
        vec![0]
    } else {
        padded(values)
    };
    (placeholders(first, padded.len()), padded)
}

/// `items` with the last repeated up to the next power of two (none for none): a list whose
/// length varies makes a few statements' texts, not one a length.
pub(crate) fn padded<T: Clone>(items: &[T]) -> Vec<T> {
    let count = items.len().next_power_of_two();
    items
        .iter()
        .chain(std::iter::repeat(items.last()).flatten())
        .take(count)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn padded_lists_repeat_their_last_value() {
        assert_eq!(
            super::padded_placeholders(2, &[7, 8, 9]),
            ("$2, $3, $4, $5".to_owned(), vec![7, 8, 9, 9])
        );
        assert_eq!(
            super::padded_placeholders(1, &[7]),
            ("$1".to_owned(), vec![7])
        );
    }

    #[test]
    fn placeholders_number_from_the_first() {
        assert_eq!(super::placeholders(3, 3), "$3, $4, $5");
        assert_eq!(super::placeholders(1, 1), "$1");
    }

    use super::unavailable_code;

    #[test]
    fn not_now_codes_of_both_databases() {
        // SQLite: BUSY, LOCKED, READONLY, and their extended codes (low byte).
        for code in ["5", "6", "8", "261", "517", "1032"] {
            assert!(unavailable_code(code), "{code}");
        }
        // SQLite: CONSTRAINT, CORRUPT, NOTADB are not transient.
        for code in ["19", "2067", "11", "26"] {
            assert!(!unavailable_code(code), "{code}");
        }
        // PostgreSQL: a lost connection, a shutdown, the timeouts, a standby; not a syntax error.
        for code in ["08006", "57P01", "57014", "55P03", "25006", "53300"] {
            assert!(unavailable_code(code), "{code}");
        }
        assert!(!unavailable_code("42601"));
        assert!(!unavailable_code("23505"));
    }
}
