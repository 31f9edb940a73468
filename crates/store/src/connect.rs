//! Opening a database: URL handling, per-backend connection set-up, migrations.

use std::{str::FromStr, time::Duration};

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
}

/// How to reach the database.
#[derive(Clone)]
pub struct StoreConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST/DB`.
    pub url: String,
    /// Connections for readers (SQLite) or for everything (PostgreSQL).
    pub max_connections: u32,
}

impl std::fmt::Debug for StoreConfig {
    // Database URLs can carry passwords; never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        StoreConfig {
            url: url.into(),
            max_connections: 8,
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
        Backend::Sqlite => connect_sqlite(config).await?,
        Backend::Postgres => {
            let pool = AnyPoolOptions::new()
                .max_connections(config.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect(&config.url)
                .await
                .map_err(ConnectError::Open)?;
            SqlStore {
                backend,
                read: pool.clone(),
                write: pool,
                writer: None,
            }
        }
    };
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    migrator
        .run(&store.write)
        .await
        .map_err(ConnectError::Migrate)?;
    Ok(store)
}

async fn connect_sqlite(config: &StoreConfig) -> Result<SqlStore, ConnectError> {
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
    let pool = |max: u32| async move {
        AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _meta| {
                Box::pin(async move {
                    // FULL: a commit that returned is on disk, even after power loss.
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            })
            .connect(&config.url)
            .await
            .map_err(ConnectError::Open)
    };
    let write: AnyPool = pool(1).await?;
    // Each SQLite connection is a thread; beyond a few, readers only add context switches.
    let read: AnyPool = pool(config.max_connections.min(4)).await?;
    Ok(SqlStore {
        backend: crate::Backend::Sqlite,
        read,
        writer: Some(crate::writer::Writer::spawn(write.clone())),
        write,
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
