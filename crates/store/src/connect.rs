//! Opening a database: URL handling, per-backend connection set-up, migrations.

use std::{str::FromStr, sync::Arc, time::Duration};

use sqlx::{
    any::{install_default_drivers, AnyPoolOptions},
    AnyPool, Executor,
};

use crate::{Backend, SqlStore};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL (expected sqlite://PATH or postgres://...)")]
    UnsupportedUrl,
    #[error("cannot open the database: {0}")]
    Open(#[source] sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// Opening existing data only, and there is none: no database, or no provisio schema in it.
    #[error("no provisio data at {0}")]
    NoData(String),
    #[error("the database is not writable: {0}")]
    NotWritable(#[source] sqlx::Error),
}

impl ConnectError {
    /// The database could not be reached (or not in time): waiting and trying again may help,
    /// unlike a bad URL, a refused login or a failed migration.
    pub fn is_unavailable(&self) -> bool {
        match self {
            ConnectError::Open(err) => crate::is_unavailable(err),
            // A read-only SQLite file stays read-only: the operator must change it, waiting
            // changes nothing. (PostgreSQL's read-only standby may be promoted: it is waited for.)
            ConnectError::NotWritable(err) => {
                crate::is_unavailable(err) && !crate::is_sqlite_read_only(err)
            }
            ConnectError::Migrate(sqlx::migrate::MigrateError::Execute(err)) => {
                crate::is_unavailable(err)
            }
            _ => false,
        }
    }
}

/// How to reach the database.
#[derive(Clone)]
pub struct StoreConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST/DB`.
    pub url: String,
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
    /// Create the database (SQLite) and its schema when missing. Operator commands turn this
    /// off: a typo in a path must not leave an empty database behind and report "no partners".
    pub create: bool,
    pub timeouts: Timeouts,
}

/// How long a caller waits on the database before it is told "unavailable"
/// (`StoreError::Unavailable`, which the server answers with 503) instead of hanging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Waiting for a pooled connection, including (re)connecting while the database is away.
    pub acquire: Duration,
    /// One statement (PostgreSQL's `statement_timeout`; SQLite has no equivalent).
    pub statement: Duration,
    /// Waiting for a lock: PostgreSQL's `lock_timeout`, SQLite's `busy_timeout`.
    pub lock: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            acquire: Duration::from_secs(3),
            statement: Duration::from_secs(5),
            lock: Duration::from_secs(3),
        }
    }
}

impl std::fmt::Debug for StoreConfig {
    // Database URLs can carry passwords; never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("create", &self.create)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        StoreConfig {
            url: url.into(),
            max_connections: 8,
            create: true,
            timeouts: Timeouts::default(),
        }
    }

    /// The same database, opened only if it already holds provisio's data.
    pub fn existing_only(self) -> Self {
        StoreConfig {
            // SQLite's `rwc` creates the file; `rw` does not.
            url: self.url.replace("mode=rwc", "mode=rw"),
            create: false,
            ..self
        }
    }

    /// The embedded default: a SQLite file inside `dir`.
    pub fn sqlite_in(dir: &std::path::Path) -> Self {
        StoreConfig::new(format!(
            "sqlite://{}?mode=rwc",
            dir.join("provisio.db").display()
        ))
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// Connects and applies pending migrations.
pub async fn connect(config: &StoreConfig) -> Result<SqlStore, ConnectError> {
    install_default_drivers();
    let backend = if config.url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if config.url.starts_with("postgres:") || config.url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        return Err(ConnectError::UnsupportedUrl);
    };
    let store = match backend {
        Backend::Sqlite => connect_sqlite(config).await.map_err(|err| match err {
            // SQLITE_CANTOPEN: with `mode=rw`, the file is not there.
            ConnectError::Open(sqlx::Error::Database(db))
                if !config.create && db.code().as_deref() == Some("14") =>
            {
                ConnectError::NoData(redact_url(&config.url))
            }
            other => other,
        })?,
        Backend::Postgres => {
            let Timeouts {
                acquire,
                statement,
                lock,
            } = config.timeouts;
            // Per connection, so a statement stuck behind a lock or a slow plan gives its
            // connection back instead of holding a request (and a pool slot) indefinitely.
            let settings = format!(
                "SET statement_timeout = {}; SET lock_timeout = {}",
                statement.as_millis().max(1),
                lock.as_millis().max(1)
            );
            let pool = AnyPoolOptions::new()
                .max_connections(config.max_connections)
                .acquire_timeout(acquire)
                .after_connect(move |conn, _meta| {
                    let settings = settings.clone();
                    Box::pin(async move {
                        conn.execute(settings.as_str()).await?;
                        Ok(())
                    })
                })
                .connect(&config.url)
                .await
                .map_err(ConnectError::Open)?;
            SqlStore {
                backend,
                read: pool.clone(),
                write: pool,
                writer: None,
                readers: None,
                deliveries_queued: Default::default(),
                sealing: Default::default(),
                #[cfg(feature = "testing")]
                url: config.url.clone(),
            }
        }
    };
    if !config.create && !has_schema(&store).await.map_err(ConnectError::Open)? {
        return Err(ConnectError::NoData(redact_url(&config.url)));
    }
    migrator(backend)
        .run(&store.write)
        .await
        .map_err(ConnectError::Migrate)?;
    Ok(store)
}

/// The migrations this build carries for `backend`.
pub(crate) fn migrator(backend: Backend) -> &'static sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    }
}

/// Whether migrations ever ran here: an empty database holds no provisio data.
async fn has_schema(store: &SqlStore) -> Result<bool, sqlx::Error> {
    let sql = match store.backend {
        Backend::Sqlite => {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
        }
    };
    let count: i64 = sqlx::query_scalar(sql).fetch_one(&store.read).await?;
    Ok(count > 0)
}

impl SqlStore {
    /// Fails unless a write goes through: a read-only file or database user would otherwise
    /// start fine and answer every write with a 500. The probe touches one row of the
    /// migrations table and rolls back, so it leaves nothing behind.
    pub async fn check_writable(&self) -> Result<(), ConnectError> {
        let mut tx = self
            .write
            .begin()
            .await
            .map_err(ConnectError::NotWritable)?;
        sqlx::query(
            "UPDATE _sqlx_migrations SET version = version \
             WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
        )
        .execute(&mut *tx)
        .await
        .map_err(ConnectError::NotWritable)?;
        tx.rollback().await.map_err(ConnectError::NotWritable)
    }
}

async fn connect_sqlite(config: &StoreConfig) -> Result<SqlStore, ConnectError> {
    // Before any connection opens: the writer asks each for its handle (`direct`).
    crate::direct::register();
    // WAL lets readers run beside the writer. It is a property of the file, so set it once,
    // from one connection, before the pools open.
    {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&config.url)
            .await
            .map_err(ConnectError::Open)?;
        conn.execute("PRAGMA journal_mode = WAL")
            .await
            .map_err(ConnectError::Open)?;
        conn.close().await.map_err(ConnectError::Open)?;
    }
    let busy_timeout = format!(
        "PRAGMA busy_timeout = {}",
        config.timeouts.lock.as_millis().max(1)
    );
    // `journal_in_memory` for the writer's connection: the savepoint around each write keeps
    // the pages it changes in a sub-journal, which SQLite otherwise spills to a temporary
    // file past 64 KiB, two `pwrite`s a page (a third of the writer's own SQLite time went
    // there; `docs/benchmarks.md`). In memory it holds at most one commit's pages. Readers
    // keep the default, so a large sort may still use a temporary file.
    let pool = |max: u32, journal_in_memory: bool| {
        let busy_timeout = busy_timeout.clone();
        async move {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(config.timeouts.acquire)
                // sqlx pings a connection before lending it out by default: on SQLite that is
                // a hand-off to the connection's thread and back before every read, the
                // query's own cost again, to check a file that cannot go away the way a
                // server's connection can (a dead thread fails the query itself).
                .test_before_acquire(false)
                .after_connect(move |conn, _meta| {
                    let busy_timeout = busy_timeout.clone();
                    Box::pin(async move {
                        // FULL: a commit that returned is on disk, even after power loss.
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute(busy_timeout.as_str()).await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        if journal_in_memory {
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                        }
                        Ok(())
                    })
                })
                .connect(&config.url)
                .await
                .map_err(ConnectError::Open)
        }
    };
    let write: AnyPool = pool(1, true).await?;
    // Each SQLite connection is a thread; beyond a few, readers only add context switches.
    let read: AnyPool = pool(config.max_connections.min(4), false).await?;
    Ok(SqlStore {
        backend: crate::Backend::Sqlite,
        read,
        writer: Some(crate::writer::Writer::spawn(write.clone())),
        write,
        readers: readers(config),
        deliveries_queued: Default::default(),
        sealing: Default::default(),
        #[cfg(feature = "testing")]
        url: config.url.clone(),
    })
}

/// Point readers of the SQLite file `config` names (see `readers`); none for a database in
/// memory, which has no file another connection could open.
fn readers(config: &StoreConfig) -> Option<Arc<crate::readers::Readers>> {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&config.url).ok()?;
    let path = options.get_filename();
    path.is_file().then(|| {
        Arc::new(crate::readers::Readers::new(
            path.to_owned(),
            config.timeouts.lock,
        ))
    })
}

impl FromStr for StoreConfig {
    type Err = std::convert::Infallible;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Ok(StoreConfig::new(url))
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:hunter2@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(redact_url("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(redact_url("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
    }
}
