//! A write's statements chained into one on PostgreSQL.
//!
//! On PostgreSQL each statement of a write is a round trip, and each costs the server and
//! the database far more than the rows it writes (the provisions benchmark measured ~80 µs of
//! CPU a statement, between them). PostgreSQL runs data-modifying statements inside `WITH`,
//! so a write whose statements only depend on whether one before them changed a row (a
//! compare-and-set, then its history entry and follow-up job) goes as one statement there:
//!
//! ```sql
//! WITH changed AS (UPDATE … RETURNING id, …),
//!      changed_1 AS (INSERT INTO … SELECT changed.id, $9, … FROM changed)
//! SELECT … FROM changed …
//! ```
//!
//! Each `INSERT … VALUES (…)` added with [`Chain::insert`] is rewritten to insert its values
//! once for each row the head answered, so the statement that stands alone on SQLite (whose
//! `WITH` holds no writes) is the one chained here: their columns are written once. All parts
//! of such a statement see the database as it was before the statement: an INSERT of a chain
//! may take what the head returned (its rows' ids), but would not find what the head wrote by
//! reading the head's table.
//!
//! [`chains_writes`] says whether a connection's database takes chains.

use sqlx::AnyConnection;

use crate::batch::{map_placeholders, renumbered, Statement, Value};

/// Whether `conn`'s database runs data-modifying statements inside `WITH` (PostgreSQL).
pub(crate) fn chains_writes(conn: &AnyConnection) -> bool {
    conn.backend_name() == "PostgreSQL"
}

/// One statement made of a head and the INSERTs that follow it (see the module).
pub(crate) struct Chain {
    head: &'static str,
    parts: Vec<String>,
    values: Vec<Value>,
}

impl Chain {
    /// A chain whose first part, named `head`, is `statement`: a data-modifying statement with
    /// a `RETURNING` clause.
    pub(crate) fn new(head: &'static str, statement: Statement) -> Chain {
        let (sql, values) = statement.into_parts();
        Chain {
            head,
            parts: vec![format!("{head} AS ({sql})")],
            values,
        }
    }

    /// Adds `insert`, an `INSERT INTO t (…) VALUES (…)`, to run once for each row the head
    /// answers. Where `key` names one of its placeholders (`$key`), that value is the head's
    /// `id` instead (the bound value is then not used): a row the head inserted is known by
    /// its id only once it is written.
    pub(crate) fn insert(
        &mut self,
        insert: Statement,
        key: Option<usize>,
    ) -> Result<(), sqlx::Error> {
        let (sql, values) = insert.into_parts();
        let (into, tuple) = sql
            .rsplit_once(" VALUES (")
            .and_then(|(into, rest)| Some((into, rest.trim_end().strip_suffix(')')?)))
            .ok_or_else(|| {
                sqlx::Error::Protocol(format!("not an INSERT … VALUES (…) to chain: {sql}"))
            })?;
        let head = self.head;
        let selected = map_placeholders(tuple, |n| {
            if Some(n) == key {
                format!("{head}.id")
            } else {
                format!("${n}")
            }
        });
        let part = format!(
            "{head}_{} AS ({into} SELECT {selected} FROM {head})",
            self.parts.len(),
        );
        self.parts.push(renumbered(&part, self.values.len()));
        self.values.extend(values);
        Ok(())
    }

    /// The chain as one statement, answering the rows of `select` (which reads the head by
    /// its name; its placeholders are numbered from `$1`).
    pub(crate) fn select(mut self, select: Statement) -> Statement {
        let (sql, values) = select.into_parts();
        let sql = format!(
            "WITH {} {}",
            self.parts.join(", "),
            renumbered(&sql, self.values.len())
        );
        self.values.extend(values);
        Statement::from_parts(sql, self.values)
    }
}

/// `inserts` and `last` as one statement: each insert a part of its own name, returning the
/// `id` of the row it wrote, which `last` reads as `(SELECT id FROM name)`. Every
/// statement's placeholders are numbered from `$1`.
pub(crate) fn with_returned(inserts: Vec<(&'static str, Statement)>, last: Statement) -> Statement {
    let parts = inserts
        .into_iter()
        .map(|(name, insert)| {
            let (sql, values) = insert.into_parts();
            (
                name,
                Statement::from_parts(format!("{sql} RETURNING id"), values),
            )
        })
        .collect();
    with_parts(parts, last)
}

/// `parts` and `last` as one statement: `WITH name AS (statement), … last`, where a part may
/// read the parts before it, and `last` any part, by name. Every statement's placeholders
/// are numbered from `$1`.
pub(crate) fn with_parts(parts: Vec<(&'static str, Statement)>, last: Statement) -> Statement {
    let mut written = Vec::with_capacity(parts.len());
    let mut values = Vec::new();
    for (name, part) in parts {
        let (sql, bound) = part.into_parts();
        written.push(renumbered(&format!("{name} AS ({sql})"), values.len()));
        values.extend(bound);
    }
    let (sql, bound) = last.into_parts();
    let sql = format!(
        "WITH {} {}",
        written.join(", "),
        renumbered(&sql, values.len())
    );
    values.extend(bound);
    Statement::from_parts(sql, values)
}

#[cfg(test)]
mod tests {
    use super::{with_returned, Chain};
    use crate::batch::Statement;

    #[test]
    fn inserts_follow_the_head_with_their_placeholders_moved_on() {
        let mut chain = Chain::new(
            "changed",
            Statement::new("UPDATE p SET s = $2 WHERE id = $1 RETURNING id")
                .bind(7)
                .bind("B"),
        );
        let history = Statement::new("INSERT INTO h (p_id, s, note) VALUES ($1, $2, 'x')")
            .bind(7)
            .bind("B");
        chain
            .insert(history, None)
            .unwrap_or_else(|e| panic!("{e}"));
        let job = Statement::new("INSERT INTO j (kind, p_id) VALUES ($1, $2)")
            .bind("ADVANCE")
            .bind(7);
        chain.insert(job, Some(2)).unwrap_or_else(|e| panic!("{e}"));
        let chained = chain.select(Statement::new("SELECT id, $1 FROM changed").bind("t"));
        assert_eq!(
            chained.sql(),
            "WITH changed AS (UPDATE p SET s = $2 WHERE id = $1 RETURNING id), \
             changed_1 AS (INSERT INTO h (p_id, s, note) SELECT $3, $4, 'x' FROM changed), \
             changed_2 AS (INSERT INTO j (kind, p_id) SELECT $5, changed.id FROM changed) \
             SELECT id, $7 FROM changed"
        );
        assert_eq!(chained.params().len(), 7);
    }

    #[test]
    fn the_last_statement_reads_what_the_inserts_returned() {
        let user = Statement::new("INSERT INTO u (name) VALUES ($1)").bind("a");
        let key = Statement::new("INSERT INTO k (hash, n) VALUES ($1, $2)")
            .bind("h")
            .bind(2);
        let point = Statement::new(
            "UPDATE p SET u = (SELECT id FROM new_user), k = (SELECT id FROM new_key) WHERE id = $1",
        )
        .bind(9);
        let chained = with_returned(vec![("new_user", user), ("new_key", key)], point);
        assert_eq!(
            chained.sql(),
            "WITH new_user AS (INSERT INTO u (name) VALUES ($1) RETURNING id), \
             new_key AS (INSERT INTO k (hash, n) VALUES ($2, $3) RETURNING id) \
             UPDATE p SET u = (SELECT id FROM new_user), k = (SELECT id FROM new_key) WHERE id = $4"
        );
        assert_eq!(chained.params().len(), 4);
    }

    #[test]
    fn only_inserts_of_values_chain() {
        let mut chain = Chain::new("c", Statement::new("UPDATE p SET s = 1 RETURNING id"));
        let not_values = Statement::new("INSERT INTO h (a) SELECT a FROM p");
        assert!(chain.insert(not_values, None).is_err());
    }
}
