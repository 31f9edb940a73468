//! SQLite statements run by the writer task itself, on the handle of sqlx's write connection.
//!
//! sqlx runs each SQLite statement on the connection's own thread: a hand-off there and back
//! for every statement, two thread wake-ups. SQLite's one writer runs every write in turn, so
//! those trips bound how many writes a second the store commits (`docs/benchmarks.md`: the
//! savepoint that opens each write alone was a quarter of the writer's time). Between two of
//! sqlx's commands its thread does not touch the connection, so the writer task, which holds
//! the connection, may run statements on the handle itself: the writer's savepoints, and the
//! statements of every `Batch` in a write ([`current`]).
//!
//! sqlx does not lend out the handle of a connection it opened through `Any`. So every SQLite
//! connection of this process gets an SQL function, `provisio_connection()`, that answers its
//! own handle ([`register`]); the writer asks for it with the `BEGIN` of each commit
//! ([`Direct::begin`]).
//!
//! Rules that keep this sound:
//! - the handle is used only while the writer holds the connection and no sqlx command on it
//!   is running (SQLite's connections are opened by sqlx in its multi-thread mode: one thread
//!   at a time). A write's sqlx command is over when its future is: sqlx ends an answer after
//!   it has reset the statement, except an error, after which its thread still resets it. So
//!   a write that meets an sqlx error ends with it, and the writer rolls it back through sqlx
//!   (queued behind that reset) before it uses the handle again;
//! - the statements prepared here are finalized before the connection goes back to sqlx's
//!   pool ([`Direct::finish`]): sqlx closes a connection with `sqlite3_close`, which fails
//!   (and sqlx panics) while a statement is open. A writer dropped in the middle of a write
//!   (its runtime shutting down, as a test's does at its end) may be dropped while sqlx's
//!   thread runs a statement: then the statements are left as they are, not finalized beside
//!   it, and sqlx's thread panics when it closes that connection later (a message on stderr;
//!   the process goes on, and no write was answered "done" without its commit);
//! - it relies on how sqlx 0.8.6's SQLite thread ends an answer (above): `sqlx-core` is
//!   pinned to that version in `crates/store/Cargo.toml`, and with it sqlx's other crates;
//! - answers come as sqlx's own rows, built as sqlx's SQLite driver builds them (a value's
//!   type is its stored type), so a caller cannot tell which path ran a statement.

#![allow(unsafe_code)] // The one module that may: see above.

use std::{
    borrow::Cow,
    ffi::{c_char, c_int, CStr},
    sync::{Arc, Mutex, Once},
};

use rusqlite::{
    ffi,
    types::{Null, ValueRef},
};
use sqlx::{
    any::AnyRow,
    error::{DatabaseError, ErrorKind},
    AnyConnection, Row,
};
use sqlx_core::{
    any::{AnyColumn, AnyTypeInfo, AnyTypeInfoKind, AnyValue, AnyValueKind},
    ext::ustr::UStr,
};

/// The SQL function that answers a connection's handle (see the module).
const HANDLE_FUNCTION: &CStr = c"provisio_connection";

/// Statements kept prepared for the rest of a commit: every kind of write's statements.
const PREPARED: usize = 256;

/// Registers [`HANDLE_FUNCTION`] in every SQLite connection this process opens from now on.
/// Call before the pools open.
pub(crate) fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: `add_handle_function` has the signature SQLite calls an automatic extension
        // with, and stays valid for the life of the process.
        unsafe {
            ffi::sqlite3_auto_extension(Some(add_handle_function));
        }
    });
}

unsafe extern "C" fn add_handle_function(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection SQLite is opening; the name is NUL-terminated and static.
    unsafe {
        ffi::sqlite3_create_function_v2(
            db,
            HANDLE_FUNCTION.as_ptr(),
            0,
            ffi::SQLITE_UTF8,
            std::ptr::null_mut(),
            Some(answer_handle),
            None,
            None,
            None,
        )
    }
}

unsafe extern "C" fn answer_handle(
    ctx: *mut ffi::sqlite3_context,
    _argc: c_int,
    _argv: *mut *mut ffi::sqlite3_value,
) {
    // SAFETY: SQLite calls this with the context of the running statement.
    unsafe {
        let db = ffi::sqlite3_context_db_handle(ctx);
        ffi::sqlite3_result_int64(ctx, db as i64);
    }
}

/// The writer's connection, run directly for the length of one commit, until
/// [`Direct::finish`].
#[derive(Clone)]
pub(crate) struct Direct(Arc<Mutex<Held>>);

/// The connection; dropped without [`Direct::finish`], it keeps its statements (see the
/// module).
struct Held(Option<rusqlite::Connection>);

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            std::mem::forget(conn);
        }
    }
}

impl std::fmt::Debug for Direct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Direct")
    }
}

impl Direct {
    /// Runs `begin` (statements that open a transaction) on the writer's connection `conn`
    /// and answers the connection to run directly, in one trip to sqlx's thread.
    ///
    /// The caller (the writer) keeps to the module's rules: it calls [`Direct::finish`] before
    /// it gives `conn` back or commits through sqlx; it runs no sqlx command while it uses
    /// this; after a write failed it goes through sqlx next.
    pub(crate) async fn begin(
        conn: &mut AnyConnection,
        begin: &str,
    ) -> Result<Direct, sqlx::Error> {
        let sql = format!("{begin}; SELECT {}()", HANDLE_FUNCTION.to_string_lossy());
        // All of the answer: the handle is the last statement's.
        let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
        let handle: i64 = match rows.first() {
            Some(row) => row.try_get(0)?,
            None => return Err(sqlx::Error::RowNotFound),
        };
        // SAFETY: the handle is `conn`'s, answered by SQLite itself just now; `conn` is open
        // and held by the caller until `finish` (above), and this does not close it.
        let direct = unsafe { rusqlite::Connection::from_handle(handle as *mut ffi::sqlite3) }
            .map_err(error)?;
        direct.set_prepared_statement_cache_capacity(PREPARED);
        Ok(Direct(Arc::new(Mutex::new(Held(Some(direct))))))
    }

    /// Finalizes every statement prepared here. Call when no sqlx command runs on the
    /// connection and before sqlx may close it; the handle is not used again.
    pub(crate) fn finish(&self) {
        if let Ok(mut held) = self.0.lock() {
            drop(held.0.take());
        }
    }

    /// Runs `sql`, one statement without values whose answer is not needed (a savepoint's),
    /// kept prepared like every other.
    pub(crate) fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        self.query(sql, &[]).map(drop)
    }

    /// Runs one statement, `$n` bound to `params[n - 1]`, and answers its rows.
    pub(crate) fn query(
        &self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        self.with(|conn| rows(conn, sql, params))
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        // Only the writer task uses it, one statement after another: never contended.
        let held = self.0.lock().map_err(|_| {
            sqlx::Error::Protocol("the direct SQLite connection was poisoned".into())
        })?;
        match &held.0 {
            Some(conn) => f(conn),
            None => Err(sqlx::Error::Protocol(
                "the direct SQLite connection was used after its commit".into(),
            )),
        }
    }
}

/// A value bound to a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Param<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

tokio::task_local! {
    /// The writer's connection, run directly, while a write runs on it (set by the writer).
    static CURRENT: Direct;
}

/// The direct connection of the write running on this task, if the writer set one.
pub(crate) fn current() -> Option<Direct> {
    CURRENT.try_with(Direct::clone).ok()
}

/// Runs `write` with `direct` as [`current`].
pub(crate) async fn scope<F: std::future::Future>(direct: Direct, write: F) -> F::Output {
    CURRENT.scope(direct, write).await
}

/// Runs one statement on `conn`, `$n` bound to `values[n - 1]`, prepared once for the
/// connection, and answers its rows as sqlx's (also `readers`').
pub(crate) fn rows(
    conn: &rusqlite::Connection,
    sql: &str,
    values: &[Param<'_>],
) -> Result<Vec<AnyRow>, sqlx::Error> {
    let mut statement = conn.prepare_cached(sql).map_err(error)?;
    // sqlx binds `$n` to the n-th value; SQLite numbers named parameters by first appearance.
    for index in 1..=statement.parameter_count() {
        let number = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=values.len()).contains(n))
            .ok_or_else(|| {
                sqlx::Error::Protocol(format!("parameter {index} of `{sql}` has no value"))
            })?;
        let bound = match values[number - 1] {
            Param::Int(v) => statement.raw_bind_parameter(index, v),
            Param::Text(v) => statement.raw_bind_parameter(index, v),
            Param::Null => statement.raw_bind_parameter(index, Null),
        };
        bound.map_err(error)?;
    }
    let names: Vec<UStr> = statement
        .column_names()
        .into_iter()
        .map(UStr::new)
        .collect();
    let mut rows = statement.raw_query();
    let mut answer = Vec::new();
    let mut column_names = None;
    while let Some(row) = rows.next().map_err(error)? {
        let column_names = column_names.get_or_insert_with(|| {
            Arc::new(
                names
                    .iter()
                    .enumerate()
                    .map(|(i, name)| (name.clone(), i))
                    .collect::<sqlx_core::HashMap<_, _>>(),
            )
        });
        let mut columns = Vec::with_capacity(names.len());
        let mut values = Vec::with_capacity(names.len());
        for (ordinal, name) in names.iter().enumerate() {
            let kind = match row.get_ref(ordinal).map_err(error)? {
                ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
                ValueRef::Integer(v) => AnyValueKind::BigInt(v),
                ValueRef::Real(v) => AnyValueKind::Double(v),
                ValueRef::Text(v) => AnyValueKind::Text(Cow::Owned(
                    String::from_utf8(v.to_vec()).map_err(|e| sqlx::Error::Decode(e.into()))?,
                )),
                ValueRef::Blob(v) => AnyValueKind::Blob(Cow::Owned(v.to_vec())),
            };
            columns.push(AnyColumn {
                ordinal,
                name: name.clone(),
                type_info: AnyTypeInfo {
                    kind: type_of(&kind),
                },
            });
            values.push(AnyValue { kind });
        }
        answer.push(AnyRow {
            column_names: column_names.clone(),
            columns,
            values,
        });
    }
    Ok(answer)
}

fn type_of(kind: &AnyValueKind<'_>) -> AnyTypeInfoKind {
    match kind {
        AnyValueKind::BigInt(_) => AnyTypeInfoKind::BigInt,
        AnyValueKind::Double(_) => AnyTypeInfoKind::Double,
        AnyValueKind::Text(_) => AnyTypeInfoKind::Text,
        AnyValueKind::Blob(_) => AnyTypeInfoKind::Blob,
        _ => AnyTypeInfoKind::Null,
    }
}

/// rusqlite's error as sqlx's: SQLite's own errors keep their extended code, so
/// `crate::db_err` sorts them (unique violations, "busy") as it sorts sqlx's.
pub(crate) fn error(err: rusqlite::Error) -> sqlx::Error {
    match err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            sqlx::Error::Database(Box::new(SqliteFailure {
                code: failure.extended_code,
                message: message.unwrap_or_else(|| failure.to_string()),
            }))
        }
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// An error SQLite answered, as sqlx's SQLite driver reports it.
#[derive(Debug, thiserror::Error)]
#[error("(code: {code}) {message}")]
struct SqliteFailure {
    code: c_int,
    message: String,
}

impl DatabaseError for SqliteFailure {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Owned(self.code.to_string()))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> ErrorKind {
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => ErrorKind::CheckViolation,
            _ => ErrorKind::Other,
        }
    }
}
