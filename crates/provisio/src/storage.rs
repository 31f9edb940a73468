//! Opening the store from the command line. Only `serve` and `partner create` may create
//! one; every other command refuses a missing one, so a mistyped `--data-dir` says so instead
//! of answering from a fresh, empty database (and leaving it behind).

use std::{path::Path, sync::Arc};

use anyhow::bail;
use provisio_core::store::Store;
use provisio_store::{connect, redact_url, ConnectError, SqlStore, StoreConfig};

use crate::args::StorageArgs;

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
        match connect(&config.existing_only()).await {
            Ok(store) => Ok(Arc::new(store)),
            Err(ConnectError::NoData(_)) => bail!("{}", self.no_data()),
            Err(err) => Err(self.unusable(err)),
        }
    }

    /// Opens the data, creating it when missing, and checks that it takes writes: a read-only
    /// or corrupt store refuses here, in one line, instead of answering every request with 500.
    pub async fn open_or_create(&self) -> anyhow::Result<Arc<dyn Store>> {
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
        let store: SqlStore = connect(&config).await.map_err(|err| self.unusable(err))?;
        store
            .check_writable()
            .await
            .map_err(|err| self.unusable(err))?;
        Ok(Arc::new(store))
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
