//! Throw-away databases for tests: a temporary SQLite file, or a fresh PostgreSQL database
//! that is dropped again when the [`TestDatabase`] is.
//!
//! PostgreSQL is reached through `PROVISIO_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); the URL names a database the test may
//! connect to in order to create and drop others.
//!
//! Where PostgreSQL is unreachable, a developer's `cargo test` skips the PostgreSQL half and
//! says so on the terminal ([`skip_postgres`]); in CI (`CI` set) or with
//! `PROVISIO_REQUIRE_POSTGRES` set, the PostgreSQL tests fail instead, since a contract suite
//! that silently skipped a backend would prove nothing.

use std::{io::Write as _, time::Duration};

use sqlx::{Connection, Executor};
use tokio::sync::OnceCell;

use crate::{redact_url, Backend, StoreConfig};

pub const POSTGRES_URL_VAR: &str = "PROVISIO_TEST_POSTGRES_URL";
pub const REQUIRE_POSTGRES_VAR: &str = "PROVISIO_REQUIRE_POSTGRES";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Whether this test should skip its PostgreSQL half: PostgreSQL is unreachable and neither
/// CI nor `PROVISIO_REQUIRE_POSTGRES` asks for it. Probed once per test binary; the first
/// skip prints why on stderr, past the test harness's output capture.
pub async fn skip_postgres() -> bool {
    static SKIP: OnceCell<bool> = OnceCell::const_new();
    *SKIP
        .get_or_init(|| async {
            let required = std::env::var_os("CI").is_some()
                || std::env::var_os(REQUIRE_POSTGRES_VAR).is_some();
            let url = admin_url();
            sqlx::any::install_default_drivers();
            let probe =
                tokio::time::timeout(Duration::from_secs(5), sqlx::AnyConnection::connect(&url))
                    .await;
            let error = match probe {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    return false;
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => "no answer within 5 s".to_owned(),
            };
            if required {
                return false; // the test itself fails, saying why
            }
            // Written to the real stderr: `eprintln!` output of a passing test is swallowed.
            let _ = writeln!(
                std::io::stderr(),
                "\nSKIPPING the PostgreSQL half of these tests: PostgreSQL is not reachable at {} \
                 ({error}).\n  To run it, start PostgreSQL (Debian/Ubuntu: apt-get install \
                 postgresql, then pg_ctlcluster <version> main start) or point {POSTGRES_URL_VAR} \
                 at a server whose user may create databases.\n  CI (CI set) and \
                 {REQUIRE_POSTGRES_VAR}=1 make this a failure.\n",
                redact_url(&url)
            );
            true
        })
        .await
}

pub struct TestDatabase {
    pub backend: Backend,
    pub config: StoreConfig,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// Creates an empty database. Panics when the backend is unreachable: a contract test that
    /// silently skipped its backend would prove nothing.
    pub async fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                TestDatabase {
                    backend,
                    config: StoreConfig::sqlite_in(dir.path()),
                    _dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let admin = admin_url();
                let name = format!("provisio_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = connect_admin(&admin).await;
                conn.execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
                let _ = conn.close().await;
                TestDatabase {
                    backend,
                    config: StoreConfig::new(database_url(&admin, &name)),
                    _dir: None,
                    postgres: Some((admin, name)),
                }
            }
        }
    }
}

impl TestDatabase {
    /// Runs raw SQL on this database, behind the store's back: for tests that break something
    /// on purpose.
    pub async fn execute(&self, sql: &str) {
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.config.url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database: {e}"));
        conn.execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
    }

    /// How many rows each table holds, by name: to show that something left nothing behind.
    pub async fn row_counts(&self) -> std::collections::BTreeMap<String, i64> {
        let mut conn = self.connection().await;
        let mut counts = std::collections::BTreeMap::new();
        for table in self.tables(&mut conn).await {
            let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("counting {table}: {e}"));
            counts.insert(table, count);
        }
        let _ = conn.close().await;
        counts
    }

    /// Every `table.column` holding `needle` anywhere in a value (read as text), in every
    /// table: to show that a secret is stored nowhere as it is.
    pub async fn cells_containing(&self, needle: &str) -> Vec<String> {
        let mut conn = self.connection().await;
        let mut found = Vec::new();
        for table in self.tables(&mut conn).await {
            let columns: Vec<String> = sqlx::query_scalar(match self.backend {
                Backend::Sqlite => "SELECT name FROM pragma_table_info($1)",
                Backend::Postgres => {
                    "SELECT column_name::TEXT FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1"
                }
            })
            .bind(&table)
            .fetch_all(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("listing the columns of {table}: {e}"));
            for column in columns {
                let count: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE $1"
                ))
                .bind(format!("%{needle}%"))
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("searching {table}.{column}: {e}"));
                if count > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
        let _ = conn.close().await;
        found
    }

    /// The first column of the first row `sql` answers, as text: for tests that read what the
    /// store wrote.
    pub async fn text(&self, sql: &str) -> Option<String> {
        let mut conn = self.connection().await;
        let value: Option<String> = sqlx::query_scalar(sql)
            .fetch_optional(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        let _ = conn.close().await;
        value
    }

    async fn connection(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.config.url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test database: {e}"))
    }

    async fn tables(&self, conn: &mut sqlx::AnyConnection) -> Vec<String> {
        sqlx::query_scalar(match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            }
            Backend::Postgres => {
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            }
        })
        .fetch_all(conn)
        .await
        .unwrap_or_else(|e| panic!("listing tables: {e}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any async context we may block; use a small runtime of its own.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let mut conn = connect_admin(&admin).await;
                let _ = conn
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await;
                let _ = conn.close().await;
            });
        });
        let _ = dropper.join();
    }
}

fn admin_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

async fn connect_admin(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {} ({e}). Start it, or point {POSTGRES_URL_VAR} \
             at one: the test suite runs every contract test on both backends.",
            redact_url(url)
        )
    })
}

/// The admin URL with its database name replaced.
fn database_url(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A TCP proxy in front of the database that a test can cut (the listener closed, every
/// connection through it dropped: the database "goes away") and restore, without touching the
/// shared PostgreSQL server.
pub struct TcpProxy {
    addr: std::net::SocketAddr,
    target: String,
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
    connections: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl TcpProxy {
    /// A proxy on a free local port to `target` (`host:port`), forwarding at once.
    pub async fn start(target: &str) -> TcpProxy {
        let proxy = TcpProxy::cut_from_start(target).await;
        proxy.restore().await;
        proxy
    }

    /// A proxy whose port is chosen but that does not listen yet: connections are refused
    /// until [`TcpProxy::restore`].
    pub async fn cut_from_start(target: &str) -> TcpProxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("binding the proxy: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the proxy's address: {e}"));
        TcpProxy {
            addr,
            target: target.to_owned(),
            tasks: std::sync::Mutex::default(),
            connections: std::sync::Arc::default(),
        }
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Stops listening (new connections are refused) and drops every live connection.
    pub fn cut(&self) {
        for lock in [&self.tasks, &*self.connections] {
            if let Ok(mut tasks) = lock.lock() {
                tasks.drain(..).for_each(|task| task.abort());
            }
        }
    }

    /// Listens again on the same port and forwards new connections.
    pub async fn restore(&self) {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .unwrap_or_else(|e| panic!("rebinding the proxy on {}: {e}", self.addr));
        let target = self.target.clone();
        let connections = self.connections.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let target = target.clone();
                let forward = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                if let Ok(mut live) = connections.lock() {
                    live.retain(|task| !task.is_finished());
                    live.push(forward.abort_handle());
                }
            }
        });
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push(accept.abort_handle());
        }
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
    }
}

impl TestDatabase {
    /// The `host:port` of this PostgreSQL database, for a [`TcpProxy`] to forward to.
    pub fn postgres_address(&self) -> String {
        let rest = self
            .config
            .url
            .split_once("://")
            .map_or("", |(_, rest)| rest);
        let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        rest.split(['/', '?']).next().unwrap_or_default().to_owned()
    }

    /// This database's configuration, reached through `proxy` instead of directly.
    pub fn through(&self, proxy: &TcpProxy) -> StoreConfig {
        let url = self
            .config
            .url
            .replacen(&self.postgres_address(), &proxy.addr().to_string(), 1);
        StoreConfig {
            url,
            ..self.config.clone()
        }
    }
}

/// Runs each test body once per backend, as `<name>::sqlite` and `<name>::postgres`.
/// `$setup(backend)` builds the argument each body receives.
#[macro_export]
macro_rules! for_each_backend {
    ($setup:path => $(async fn $name:ident($arg:ident : $ty:ty) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($arg: $ty) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($setup($crate::Backend::Sqlite).await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::testing::skip_postgres().await {
                    return;
                }
                run($setup($crate::Backend::Postgres).await).await
            }
        }
    )*};
}

/// Databases (by URL) whose next idempotent write is to lose its COMMIT's answer.
static LOST_COMMIT_ANSWERS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Makes the next write with an idempotency key on the database at `url` commit as usual and
/// then report `StoreError::Unavailable { outcome: Unknown }`, as when the connection breaks
/// after the COMMIT reached PostgreSQL: the money moved, and the server could not know. Only
/// writes with a key are affected, so the background work a test server does is not. Cutting
/// a proxy at exactly that moment is not deterministic, so the fault is injected here.
pub fn lose_next_commit_answer(url: &str) {
    if let Ok(mut urls) = LOST_COMMIT_ANSWERS.lock() {
        urls.push(url.to_owned());
    }
}

/// Whether the write about to run on `url` is to lose its COMMIT's answer (and forgets it).
pub(crate) fn take_lost_commit_answer(url: &str) -> bool {
    let Ok(mut urls) = LOST_COMMIT_ANSWERS.lock() else {
        return false;
    };
    match urls.iter().position(|u| u == url) {
        Some(at) => {
            urls.swap_remove(at);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            database_url("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(database_url("postgres://u@h", "t1"), "postgres://u@h/t1");
        assert_eq!(
            database_url("postgres://u@h/x?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
