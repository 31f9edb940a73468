//! SQLite's point reads, run by the calling task itself on connections of its own.
//!
//! sqlx runs each SQLite statement on the connection's own thread: a hand-off there and back,
//! two thread wake-ups, for a read SQLite answers in a few microseconds. On the request path
//! those hand-offs cost more than the reads (`docs/benchmarks.md`: sqlx's SQLite threads and
//! their wake-ups were a third of a payment's CPU). So the reads a request makes on its way
//! (the user a path names, a provision's status, a session or an installation by its token)
//! run here instead, on connections rusqlite opens on the same file and this pool keeps: the
//! statement runs on the task that asked, which blocks its thread for as long as SQLite takes.
//!
//! Only reads of a row or a few by an index belong here (`SqlStore::read_rows`, in `batch`):
//! a list, a sum over a table or anything else that may take long stays on sqlx's read pool,
//! whose threads keep such work off the server's. In WAL mode a reader never waits for the writer; the busy
//! timeout (the pool's, `Timeouts::lock`) covers the rare moments SQLite makes it wait (a
//! write-ahead log being recovered).
//!
//! Each connection is opened writable, as sqlx opens its own (a read-only connection to a WAL
//! database needs the shared-memory file to exist), and then made `query_only`. The answers
//! are sqlx's own rows (`direct::rows`), so a caller cannot tell which path ran a read.

use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        Mutex,
    },
    time::Duration,
};

use rusqlite::OpenFlags;
use sqlx::any::AnyRow;

use crate::direct::{self, Param};

/// Idle connections kept: each thread that reads holds one at a time.
const KEPT: usize = 4;

/// The pool of SQLite connections that point reads run on (see the module).
#[derive(Debug)]
pub(crate) struct Readers {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<rusqlite::Connection>>,
    closed: AtomicBool,
}

impl Readers {
    /// Readers of the database file at `path`; none open until the first read.
    pub(crate) fn new(path: PathBuf, busy_timeout: Duration) -> Readers {
        Readers {
            path,
            busy_timeout,
            idle: Mutex::default(),
            closed: AtomicBool::new(false),
        }
    }

    /// Runs one statement, `$n` bound to `params[n - 1]`, and answers its rows.
    pub(crate) fn query(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let conn = self.take()?;
        let answer = direct::rows(&conn, sql, params);
        self.give_back(conn);
        answer
    }

    /// An idle connection, or a new one.
    fn take(&self) -> Result<rusqlite::Connection, sqlx::Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(sqlx::Error::PoolClosed);
        }
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        // One thread at a time uses a connection (the pool hands it out), so SQLite's own
        // mutex is not needed; the file exists, so it is not created.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            rusqlite::Connection::open_with_flags(&self.path, flags).map_err(direct::error)?;
        conn.busy_timeout(self.busy_timeout)
            .and_then(|()| conn.pragma_update(None, "query_only", true))
            .map_err(direct::error)?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEPT {
                idle.push(conn);
            }
        }
    }

    /// Closes the idle connections; reads after this fail as a closed pool's do.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }
}
