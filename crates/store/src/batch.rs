//! Several statements of one write sent to the database in one trip.
//!
//! Inside a write every statement sqlx runs is a round trip: on SQLite a hand-off to sqlx's
//! thread for the connection and back (two thread wake-ups, and SQLite's single writer runs
//! the writes one after another, so these trips bound how many writes a second it commits;
//! see `docs/benchmarks.md`), on PostgreSQL a trip over the socket. When a write's next
//! statements do not depend on what the ones before them answer, a [`Batch`] sends them
//! together (and a single statement goes as a batch of one, [`Statement::fetch_all`]):
//!
//! - on SQLite's writer, the writer task runs them itself on the connection's handle, with
//!   no trip to sqlx's thread at all (`direct`); stopping, as on PostgreSQL, after an empty
//!   answer of a statement marked [`Statement::or_stop`];
//! - elsewhere on SQLite as one multi-statement query, which sqlx runs on its thread
//!   statement after statement in one command (each statement's `$n` renumbered after the
//!   ones before it, as sqlx binds `$n` to the query's n-th value). sqlx 0.8 does this for
//!   SQLite only and calls it deprecated (launchbadge/sqlx#3108): should a later sqlx run
//!   only the first statement, [`Batch::run`] fails on the missing answers;
//! - on PostgreSQL (whose extended protocol takes one statement per query) one after the
//!   other, stopping after a statement marked [`Statement::or_stop`] that answered no row.
//!
//! Either way the caller reads the answers in order and stops at the first that refuses;
//! whatever the statements after it wrote is undone with the write, which the refusal fails.
//!
//! Keep a batch to one write's statements, with a text that recurs. sqlx keeps one prepared
//! statement per text, so a text made once is prepared every time; and SQLite copies the rest
//! of a multi-statement text for each statement it prepares, which is quadratic in the text's
//! length. One text for the steps of a whole worker batch (300 provisions) took twice as long
//! as one trip a step (`docs/benchmarks.md`).
//!
//! A [`Statement`] outside any write may also be a point read ([`SqlStore::read_rows`]),
//! which SQLite's readers run on the task that asks (`readers`).

use sqlx::{any::AnyRow, AnyConnection, AnyPool, Either, Executor, Row};

use crate::{direct::Param, SqlStore};

use futures_util::TryStreamExt;

/// A value bound to a statement of a [`Batch`].
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}

/// One statement, its placeholders numbered from `$1`.
#[derive(Debug)]
pub(crate) struct Statement {
    sql: String,
    values: Vec<Value>,
    /// No row in its answer ends the batch: later statements need not run.
    or_stop: bool,
}

impl Statement {
    pub(crate) fn new(sql: impl Into<String>) -> Statement {
        Statement {
            sql: sql.into(),
            values: Vec::new(),
            or_stop: false,
        }
    }

    pub(crate) fn bind(mut self, value: impl Into<Value>) -> Statement {
        self.values.push(value.into());
        self
    }

    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    /// Its text and values, to be made part of another statement (`chain`).
    pub(crate) fn into_parts(self) -> (String, Vec<Value>) {
        (self.sql, self.values)
    }

    /// A statement of `sql` with `values` bound, in order.
    pub(crate) fn from_parts(sql: String, values: Vec<Value>) -> Statement {
        Statement {
            sql,
            values,
            or_stop: false,
        }
    }

    /// The values bound, as the statements run directly take them (`direct`, `readers`).
    pub(crate) fn params(&self) -> Vec<Param<'_>> {
        self.values
            .iter()
            .map(|value| match value {
                Value::Int(Some(v)) => Param::Int(*v),
                Value::Text(Some(v)) => Param::Text(v),
                Value::Int(None) | Value::Text(None) => Param::Null,
            })
            .collect()
    }

    /// Runs this statement through sqlx on a connection of `pool`, and answers its rows.
    pub(crate) async fn fetch_all_from(self, pool: &AnyPool) -> Result<Vec<AnyRow>, sqlx::Error> {
        bind(sqlx::query(&self.sql), self.values)
            .fetch_all(pool)
            .await
    }

    /// Runs this statement alone, as a one-statement [`Batch`] (so that SQLite's writer runs
    /// it itself, see `direct`), and answers its rows.
    pub(crate) async fn fetch_all(
        self,
        conn: &mut AnyConnection,
    ) -> Result<Vec<AnyRow>, sqlx::Error> {
        let mut batch = Batch::new();
        batch.push(self);
        let Answers(answers) = batch.run(conn).await?;
        Ok(answers.into_iter().next().unwrap_or_default())
    }

    /// Runs this statement alone like [`Statement::fetch_all`] and answers its first row as a
    /// `T`, if it answered any.
    pub(crate) async fn fetch_optional_as<T>(
        self,
        conn: &mut AnyConnection,
    ) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        first_as(self.fetch_all(conn).await?)
    }

    /// An empty answer of this statement makes the statements after it needless (it refuses
    /// the write, or there is nothing more to do): on PostgreSQL and SQLite's writer they are
    /// not run. A multi-statement query has run them by then; the caller ignores their
    /// answers (and a refusal, failing the write, undoes what they wrote).
    pub(crate) fn or_stop(mut self) -> Statement {
        self.or_stop = true;
        self
    }
}

/// The first of `rows` as a `T`, if there is one.
pub(crate) fn first_as<T>(rows: Vec<AnyRow>) -> Result<Option<T>, sqlx::Error>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    rows.first().map(T::from_row).transpose()
}

/// What the statements of a [`Batch`] answered, in order. A statement that was not run
/// (after an [`Statement::or_stop`]) answered no rows.
#[derive(Default)]
pub(crate) struct Answers(Vec<Vec<AnyRow>>);

impl Answers {
    /// Takes the rows of the statement at `at` out of the answers.
    pub(crate) fn take(&mut self, at: usize) -> Vec<AnyRow> {
        self.0.get_mut(at).map(std::mem::take).unwrap_or_default()
    }

    /// The rows of the statement at `at` ([`Batch::push`]'s answer).
    pub(crate) fn rows(&self, at: usize) -> &[AnyRow] {
        self.0.get(at).map_or(&[], Vec::as_slice)
    }

    /// The first row of the statement at `at`, if it answered any.
    pub(crate) fn first(&self, at: usize) -> Option<&AnyRow> {
        self.rows(at).first()
    }
}

/// Statements sent together (see the module).
#[derive(Debug, Default)]
pub(crate) struct Batch {
    statements: Vec<Statement>,
}

impl Batch {
    pub(crate) fn new() -> Batch {
        Batch::default()
    }

    /// Adds `statement`, answering its position in [`Batch::run`]'s answers.
    pub(crate) fn push(&mut self, statement: Statement) -> usize {
        self.statements.push(statement);
        self.statements.len() - 1
    }

    /// Runs the statements in order and answers each one's rows, in order. The answers may
    /// end after an [`Statement::or_stop`] statement that answered none.
    pub(crate) async fn run(self, conn: &mut AnyConnection) -> Result<Answers, sqlx::Error> {
        if self.statements.is_empty() {
            Ok(Answers::default())
        } else if let Some(direct) = crate::direct::current() {
            run_direct(&direct, self.statements).map(Answers)
        } else if crate::writer::single_writer(conn) {
            run_together(conn, self.statements).await.map(Answers)
        } else {
            run_in_turn(conn, self.statements).await.map(Answers)
        }
    }
}

fn bind<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: Vec<Value>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    query
}

async fn run_in_turn(
    conn: &mut AnyConnection,
    statements: Vec<Statement>,
) -> Result<Vec<Vec<AnyRow>>, sqlx::Error> {
    let mut answers = Vec::with_capacity(statements.len());
    for statement in statements {
        let rows = bind(sqlx::query(&statement.sql), statement.values)
            .fetch_all(&mut *conn)
            .await?;
        let stop = statement.or_stop && rows.is_empty();
        answers.push(rows);
        if stop {
            break;
        }
    }
    Ok(answers)
}

/// In a write on SQLite's writer, which runs the statements itself (`direct`): no trip to
/// sqlx's thread at all, and like PostgreSQL it stops after an empty `or_stop` answer.
fn run_direct(
    direct: &crate::direct::Direct,
    statements: Vec<Statement>,
) -> Result<Vec<Vec<AnyRow>>, sqlx::Error> {
    let mut answers = Vec::with_capacity(statements.len());
    for statement in statements {
        let rows = direct.query(&statement.sql, &statement.params())?;
        let stop = statement.or_stop && rows.is_empty();
        answers.push(rows);
        if stop {
            break;
        }
    }
    Ok(answers)
}

async fn run_together(
    conn: &mut AnyConnection,
    statements: Vec<Statement>,
) -> Result<Vec<Vec<AnyRow>>, sqlx::Error> {
    let count = statements.len();
    let mut sql = String::new();
    let mut values = Vec::new();
    for statement in statements {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        sql.push_str(&renumbered(&statement.sql, values.len()));
        values.extend(statement.values);
    }
    let query = bind(sqlx::query(&sql), values);
    let mut stream = conn.fetch_many(query);
    let mut answers = Vec::with_capacity(count);
    let mut rows = Vec::new();
    // Each statement's rows come first, then its result: the end of that statement.
    while let Some(item) = stream.try_next().await? {
        match item {
            Either::Right(row) => rows.push(row),
            Either::Left(_) => answers.push(std::mem::take(&mut rows)),
        }
    }
    if answers.len() != count {
        return Err(sqlx::Error::Protocol(format!(
            "a batch of {count} statements answered {}",
            answers.len()
        )));
    }
    Ok(answers)
}

/// `sql` with each placeholder `$n` written `$(n + offset)`; text in single quotes (SQL's
/// string literals) is left as it is.
pub(crate) fn renumbered(sql: &str, offset: usize) -> String {
    if offset == 0 {
        return sql.to_owned();
    }
    map_placeholders(sql, |n| format!("${}", n + offset))
}

/// `sql` with each placeholder `$n` written as `write(n)` answers; text in single quotes
/// (SQL's string literals) is left as it is.
pub(crate) fn map_placeholders(sql: &str, write: impl Fn(usize) -> String) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.char_indices().peekable();
    let mut quoted = false;
    while let Some((_, c)) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c != '$' || quoted {
            out.push(c);
            continue;
        }
        let mut number = 0usize;
        let mut digits = 0;
        while let Some((_, d)) = chars.peek().copied() {
            let Some(digit) = d.to_digit(10) else { break };
            number = number * 10 + digit as usize;
            digits += 1;
            chars.next();
        }
        if digits > 0 {
            out.push_str(&write(number));
        } else {
            out.push(c);
        }
    }
    out
}

/// Point reads: a [`Statement`] run outside any write.
impl SqlStore {
    /// Runs `statement`, a point read (a row or a few by an index; see `readers`), and
    /// answers its rows: on SQLite on a reader of this task's own, on PostgreSQL through the
    /// pool.
    pub(crate) async fn read_rows(&self, statement: Statement) -> Result<Vec<AnyRow>, sqlx::Error> {
        match &self.readers {
            Some(readers) => readers.query(statement.sql(), &statement.params()),
            None => statement.fetch_all_from(&self.read).await,
        }
    }

    /// [`SqlStore::read_rows`], answering the first row as a `T`.
    pub(crate) async fn read_optional<T>(
        &self,
        statement: Statement,
    ) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, AnyRow>,
    {
        first_as(self.read_rows(statement).await?)
    }

    /// [`SqlStore::read_rows`], answering the first column of the first row, if any.
    pub(crate) async fn read_scalar<T>(
        &self,
        statement: Statement,
    ) -> Result<Option<T>, sqlx::Error>
    where
        T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        let rows = self.read_rows(statement).await?;
        rows.first().map(|row| row.try_get(0)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::renumbered;

    #[test]
    fn placeholders_move_past_the_statements_before() {
        assert_eq!(
            renumbered("UPDATE t SET a = $1 WHERE id = $12 AND b = $1", 3),
            "UPDATE t SET a = $4 WHERE id = $15 AND b = $4"
        );
        assert_eq!(renumbered("SELECT $1", 0), "SELECT $1");
    }

    #[test]
    fn string_literals_keep_their_dollars() {
        assert_eq!(
            renumbered("SELECT '$1', $1 WHERE x = 'a''$2'", 2),
            "SELECT '$1', $3 WHERE x = 'a''$2'"
        );
    }
}

/// A SQLite store of a test's own, in a temporary directory.
#[cfg(test)]
async fn test_store() -> (crate::testing::TestDatabase, SqlStore) {
    let db = crate::testing::TestDatabase::create(crate::Backend::Sqlite).await;
    let store = crate::connect(&db.config)
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    (db, store)
}

/// The tests' rows, run directly and through sqlx, read alike: `id`, `name`, `size` and, where
/// the table has it, `ratio`.
#[cfg(test)]
fn assert_same_rows(direct: &[AnyRow], through_sqlx: &[AnyRow]) {
    assert_eq!(direct.len(), through_sqlx.len());
    for (a, b) in direct.iter().zip(through_sqlx) {
        assert_eq!(
            a.try_get::<i64, _>("id").ok(),
            b.try_get::<i64, _>("id").ok()
        );
        assert_eq!(
            a.try_get::<Option<String>, _>("name").ok(),
            b.try_get::<Option<String>, _>("name").ok()
        );
        assert_eq!(
            a.try_get::<Option<i64>, _>("size").ok(),
            b.try_get::<Option<i64>, _>("size").ok()
        );
        assert_eq!(
            a.try_get::<Option<f64>, _>("ratio").ok(),
            b.try_get::<Option<f64>, _>("ratio").ok()
        );
    }
}

/// A `Batch` in a write on SQLite's writer, which runs it itself (`direct`).
#[cfg(test)]
mod in_a_write {
    use provisio_core::StoreError;
    use sqlx::Row;

    use super::{test_store as store, Batch, Statement};

    /// A table of the test's own, made in a write of its own.
    async fn table(store: &crate::SqlStore) {
        store
            .write(|conn| {
                Box::pin(async move {
                    sqlx::query(
                        "CREATE TABLE direct_test (id INTEGER PRIMARY KEY, \
                         name TEXT UNIQUE, size INTEGER, ratio REAL)",
                    )
                    .execute(&mut *conn)
                    .await
                    .map(|_| ())
                })
            })
            .await
            .unwrap_or_else(|e| panic!("create: {e}"));
    }

    #[tokio::test]
    async fn a_batch_in_a_write_answers_what_sqlx_answers() {
        let (_dir, store) = store().await;
        table(&store).await;
        let (direct, through_sqlx) = store
            .write(|conn| {
                Box::pin(async move {
                    assert!(crate::direct::current().is_some(), "a write runs directly");
                    let mut batch = Batch::new();
                    // `$2` before `$1`: SQLite numbers parameters by first appearance.
                    batch.push(
                        Statement::new(
                            "INSERT INTO direct_test (name, size, ratio) \
                             VALUES ($2, $1, 0.5), ($3, NULL, NULL)",
                        )
                        .bind(7_i64)
                        .bind("seven")
                        .bind(None::<String>),
                    );
                    let select = "SELECT id, name, size, ratio FROM direct_test \
                                  WHERE size = $1 OR size IS NULL ORDER BY id";
                    let at = batch.push(Statement::new(select).bind(7_i64));
                    let answers = batch.run(conn).await?;
                    let direct = answers.rows(at).to_vec();
                    let through_sqlx = sqlx::query(select)
                        .bind(7_i64)
                        .fetch_all(&mut *conn)
                        .await?;
                    Ok((direct, through_sqlx))
                })
            })
            .await
            .unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(direct.len(), 2);
        super::assert_same_rows(&direct, &through_sqlx);
        assert_eq!(
            direct[0].try_get::<String, _>("name").ok().as_deref(),
            Some("seven")
        );
        assert_eq!(direct[0].try_get::<i32, _>("size").ok(), Some(7));
        assert_eq!(direct[0].try_get::<f64, _>("ratio").ok(), Some(0.5));
        assert_eq!(
            direct[1].try_get::<Option<String>, _>("name").ok(),
            Some(None)
        );
        assert_eq!(
            direct[1].try_get::<Option<f64>, _>("ratio").ok(),
            Some(None)
        );
    }

    #[tokio::test]
    async fn a_refused_batch_fails_its_write_alone_with_sqlites_code() {
        let (_dir, store) = store().await;
        table(&store).await;
        let insert = |name: &'static str| {
            store.write(move |conn| {
                Box::pin(async move {
                    let mut batch = Batch::new();
                    batch.push(
                        Statement::new("INSERT INTO direct_test (name, size) VALUES ($1, 1)")
                            .bind(name),
                    );
                    batch.push(
                        Statement::new("INSERT INTO direct_test (name, size) VALUES ($1, 2)")
                            .bind(format!("{name}, again")),
                    );
                    batch.run(conn).await.map(|_| ())
                })
            })
        };
        insert("first")
            .await
            .unwrap_or_else(|e| panic!("first: {e}"));
        // Side by side (most likely in one commit): the second write's first INSERT is refused
        // (the first write's second row has its name), so its second INSERT is undone with it;
        // the third write goes through.
        let (second, third) = tokio::join!(insert("first, again"), insert("third"));
        assert!(
            matches!(second, Err(StoreError::UniqueViolation(_))),
            "{second:?}"
        );
        third.unwrap_or_else(|e| panic!("third: {e}"));
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM direct_test ORDER BY id")
            .fetch_all(&store.read)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(names, ["first", "first, again", "third", "third, again"]);
        // sqlx's own unique violation for the same row maps alike.
        let again = store
            .write(|conn| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO direct_test (name) VALUES ('first')")
                        .execute(&mut *conn)
                        .await
                        .map(|_| ())
                })
            })
            .await;
        assert!(
            matches!(again, Err(StoreError::UniqueViolation(_))),
            "{again:?}"
        );
    }

    #[tokio::test]
    async fn an_empty_or_stop_answer_ends_the_batch() {
        let (_dir, store) = store().await;
        table(&store).await;
        let answered = store
            .write(|conn| {
                Box::pin(async move {
                    let mut batch = Batch::new();
                    batch.push(
                        Statement::new("SELECT id FROM direct_test WHERE name = $1")
                            .bind("nobody")
                            .or_stop(),
                    );
                    batch.push(Statement::new(
                        "INSERT INTO direct_test (name) VALUES ('after the stop')",
                    ));
                    let answers = batch.run(conn).await?;
                    Ok(answers.rows(1).len())
                })
            })
            .await
            .unwrap_or_else(|e| panic!("write: {e}"));
        assert_eq!(answered, 0);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM direct_test")
            .fetch_one(&store.read)
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(count, 0, "the statement after the stop did not run");
    }
}

/// Point reads outside a write (`SqlStore::read_rows`): on SQLite run by the task that asks,
/// on connections of the store's own (`readers`).
#[cfg(test)]
mod point_reads {
    use super::{test_store, Statement};
    use crate::testing::TestDatabase;

    async fn store_with_rows() -> (TestDatabase, crate::SqlStore) {
        let (db, store) = test_store().await;
        assert!(store.readers.is_some(), "a SQLite file gets readers");
        set(
            &store,
            "CREATE TABLE read_test (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)",
        )
        .await;
        set(
            &store,
            "INSERT INTO read_test (id, name, size) VALUES (1, 'one', 1), (2, NULL, NULL)",
        )
        .await;
        (db, store)
    }

    /// Runs `sql` as a write of its own.
    async fn set(store: &crate::SqlStore, sql: &'static str) {
        store
            .write(move |conn| {
                Box::pin(async move { sqlx::query(sql).execute(&mut *conn).await.map(drop) })
            })
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    #[tokio::test]
    async fn a_point_read_answers_what_the_pool_answers() {
        let (_db, store) = store_with_rows().await;
        let select = "SELECT id, name, size FROM read_test WHERE id >= $1 ORDER BY id";
        let direct = store
            .read_rows(Statement::new(select).bind(1_i64))
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        let pooled = sqlx::query(select)
            .bind(1_i64)
            .fetch_all(&store.read)
            .await
            .unwrap_or_else(|e| panic!("pool: {e}"));
        assert_eq!(direct.len(), 2);
        super::assert_same_rows(&direct, &pooled);
        let none: Option<(i64,)> = store
            .read_optional(Statement::new("SELECT id FROM read_test WHERE id = $1").bind(9_i64))
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(none, None);
    }

    #[tokio::test]
    async fn a_point_read_sees_every_commit_before_it() {
        let (_db, store) = store_with_rows().await;
        let size = || Statement::new("SELECT size FROM read_test WHERE id = 1");
        // A reader kept from one read to the next must not answer from what it saw before.
        for (update, expected) in [
            ("UPDATE read_test SET size = 2 WHERE id = 1", 2_i64),
            ("UPDATE read_test SET size = 3 WHERE id = 1", 3),
        ] {
            let before: Option<i64> = store
                .read_scalar(size())
                .await
                .unwrap_or_else(|e| panic!("read: {e}"));
            assert_eq!(before, Some(expected - 1));
            set(&store, update).await;
            let after: Option<i64> = store
                .read_scalar(size())
                .await
                .unwrap_or_else(|e| panic!("read: {e}"));
            assert_eq!(after, Some(expected));
        }
    }

    #[tokio::test]
    async fn a_point_read_cannot_write_and_fails_after_close() {
        let (_db, store) = store_with_rows().await;
        let refused = store
            .read_rows(Statement::new("DELETE FROM read_test RETURNING id"))
            .await;
        assert!(refused.is_err(), "a reader is query_only");
        let left: Option<i64> = store
            .read_scalar(Statement::new("SELECT COUNT(*) FROM read_test"))
            .await
            .unwrap_or_else(|e| panic!("read: {e}"));
        assert_eq!(left, Some(2));
        store.close().await;
        let closed = store
            .read_rows(Statement::new("SELECT id FROM read_test"))
            .await;
        assert!(
            matches!(closed, Err(sqlx::Error::PoolClosed)),
            "{:?}",
            closed.map(|rows| rows.len())
        );
    }
}
