//! The options several commands share: where the data is, which bunq environment to imitate,
//! and the arguments of a command that needs nothing but the store.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use provisio_core::model::Environment;

/// Where provisio keeps its data. `--database-url` wins over `--data-dir`.
#[derive(Debug, Args)]
pub struct StorageArgs {
    /// Directory for the embedded SQLite database (only `serve` and `partner create` create it).
    #[arg(long, env = "PROVISIO_DATA_DIR", default_value = "provisio-data")]
    pub data_dir: PathBuf,
    /// A database URL instead of the data directory: postgres://USER@HOST/DB or sqlite://PATH.
    #[arg(long, env = "PROVISIO_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

impl StorageArgs {
    pub fn is_postgres(&self) -> bool {
        self.database_url
            .as_deref()
            .is_some_and(|url| url.starts_with("postgres"))
    }
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Which bunq environment to imitate.
#[derive(Debug, Args)]
pub struct EnvironmentArgs {
    /// Sandbox API keys carry bunq's `sandbox_` prefix; credentials live 1 h in the sandbox and
    /// 4 h in production.
    #[arg(
        long,
        env = "PROVISIO_ENVIRONMENT",
        value_enum,
        default_value = "sandbox"
    )]
    pub environment: EnvironmentArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    Sandbox,
    Production,
}

impl From<EnvironmentArg> for Environment {
    fn from(arg: EnvironmentArg) -> Self {
        match arg {
            EnvironmentArg::Sandbox => Environment::Sandbox,
            EnvironmentArg::Production => Environment::Production,
        }
    }
}
