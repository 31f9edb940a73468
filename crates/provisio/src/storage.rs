//! Opening the store from the command line. Only `serve` and `partner create` may create
//! one; every other command refuses a missing one, so a mistyped `--data-dir` says so instead
//! of answering from a fresh, empty database (and leaving it behind).

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::bail;
use provisio_core::store::Store;
use provisio_store::{connect, redact_url, ConnectError, SqlStore, StoreConfig, Timeouts};

use crate::args::StorageArgs;

/// Longest pause between two attempts to reach the database at start.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// An operator command's database timeouts: a command is not a request behind a load
/// balancer, so it waits for a connection as long as provisio did before the request path's
/// short bound (a busy machine, a database still starting), then says why it gave up.
const COMMAND_TIMEOUTS: Timeouts = Timeouts {
    acquire: std::time::Duration::from_secs(10),
    statement: std::time::Duration::from_secs(5),
    lock: std::time::Duration::from_secs(3),
};

/// The SQLite file inside the data directory (see `StoreConfig::sqlite_in`).
const SQLITE_FILE: &str = "provisio.db";

impl StorageArgs {
    /// What the store is, for `serve` to say: the SQLite file, or the URL without a password.
    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(url) if self.is_postgres() => format!("PostgreSQL at {}", redact_url(url)),
            Some(url) => format!("SQLite at {}", redact_url(url)),
            None => format!("SQLite at {}", self.data_dir.join(SQLITE_FILE).display()),
        }
    }

    /// Where the data is, as the user gave it: for messages.
    fn location(&self) -> String {
        match &self.database_url {
            Some(url) => redact_url(url),
            None => self.data_dir.display().to_string(),
        }
    }

    /// Opens provisio's data where it already is; never creates any.
    pub async fn open_existing(&self) -> anyhow::Result<Arc<dyn Store>> {
        let timeouts = COMMAND_TIMEOUTS;
        let config = match &self.database_url {
            Some(url) => StoreConfig::new(url.clone()),
            None => {
                let dir = &self.data_dir;
                refuse_a_file(dir)?;
                if !dir.join(SQLITE_FILE).is_file() {
                    bail!("{}", self.no_data());
                }
                StoreConfig::sqlite_in(dir)
            }
        };
        let config = StoreConfig { timeouts, ..config };
        match connect(&config.existing_only()).await {
            Ok(store) => Ok(Arc::new(store)),
            Err(ConnectError::NoData(_)) => bail!("{}", self.no_data()),
            Err(err) => Err(self.unusable(err)),
        }
    }

    /// Opens the data, creating it when missing, and checks that it takes writes: a read-only
    /// or corrupt store refuses here, in one line, instead of answering every request with 500.
    pub async fn open_or_create(&self) -> anyhow::Result<Arc<dyn Store>> {
        self.try_open_or_create(COMMAND_TIMEOUTS)
            .await?
            .map_err(|err| self.unusable(err))
    }

    /// [`Self::open_or_create`], waiting for a database that cannot be reached yet (it starts
    /// beside provisio, or is restarting): each failed attempt is logged with when the next
    /// one comes, the pause doubling up to [`MAX_PAUSE`]. `wait` bounds the whole wait; `None`
    /// waits as long as it takes. Any other failure (a bad URL, a refused login, a failed
    /// migration) ends it at once.
    pub async fn open_or_create_waiting(
        &self,
        timeouts: Timeouts,
        wait: Option<Duration>,
    ) -> anyhow::Result<Arc<dyn Store>> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        let mut attempt = 0_u32;
        loop {
            attempt += 1;
            let err = match self.try_open_or_create(timeouts).await? {
                Ok(store) => return Ok(store),
                Err(err) => err,
            };
            let left = wait.map(|wait| wait.saturating_sub(started.elapsed()));
            if !err.is_unavailable() || left.is_some_and(|left| left.is_zero()) {
                return Err(self.unusable(err));
            }
            let pause_now = left.map_or(pause, |left| pause.min(left));
            let retry_in_ms = u64::try_from(pause_now.as_millis()).unwrap_or(u64::MAX);
            tracing::warn!(
                attempt,
                retry_in_ms,
                error = %err,
                "waiting for the database at {}: retrying in {retry_in_ms}ms",
                self.location()
            );
            tokio::time::sleep(pause_now).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// One attempt: the outer error is final (the data directory is unusable), the inner one
    /// is the database's, which may pass.
    async fn try_open_or_create(
        &self,
        timeouts: Timeouts,
    ) -> anyhow::Result<Result<Arc<dyn Store>, ConnectError>> {
        let config = match &self.database_url {
            Some(url) => StoreConfig::new(url.clone()),
            None => {
                let dir = &self.data_dir;
                refuse_a_file(dir)?;
                create_private_dir(dir)
                    .and_then(|()| probe_dir(dir))
                    .map_err(|err| self.not_writable(&err))?;
                StoreConfig::sqlite_in(dir)
            }
        };
        let config = StoreConfig { timeouts, ..config };
        let store: SqlStore = match connect(&config).await {
            Ok(store) => store,
            Err(err) => return Ok(Err(err)),
        };
        if let Err(err) = store.check_writable().await {
            store.close().await;
            return Ok(Err(err));
        }
        Ok(Ok(Arc::new(store)))
    }

    fn no_data(&self) -> String {
        format!(
            "no provisio data at {}; `provisio serve` or `provisio partner create` creates it",
            self.location()
        )
    }

    fn not_writable(&self, err: &dyn std::fmt::Display) -> anyhow::Error {
        match &self.database_url {
            Some(_) => anyhow::anyhow!("the database {} is not writable: {err}", self.location()),
            None => anyhow::anyhow!(
                "the data directory {} is not writable: {err}",
                self.location()
            ),
        }
    }

    fn unusable(&self, err: ConnectError) -> anyhow::Error {
        let at = self.location();
        match err {
            ConnectError::NotWritable(err) => self.not_writable(&err),
            ConnectError::Open(err) => {
                anyhow::anyhow!(
                    "cannot open the database at {at} (is it a provisio database?): {err}"
                )
            }
            ConnectError::Migrate(err) => {
                anyhow::anyhow!("the database at {at} cannot be read or updated: {err}")
            }
            ConnectError::NoData(_) => anyhow::anyhow!("{}", self.no_data()),
            ConnectError::UnsupportedUrl => anyhow::anyhow!("--database-url: {err}"),
        }
    }
}

fn refuse_a_file(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "--data-dir {} is a file; give a directory (provisio keeps {SQLITE_FILE} in it)",
            dir.display()
        );
    }
    Ok(())
}

/// The data directory holds the server's private key: keep it to its owner.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// SQLite needs to create its journal files beside the database, so the directory itself
/// must take new files, not only the database file.
fn probe_dir(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".provisio-write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}
