//! `provisio serve`'s options: where to listen, how to behave, and the durations they take.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, ValueEnum};
use provisio_core::time::parse_duration;
use provisio_server::Profile;

use crate::args::{EnvironmentArgs, StorageArgs};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// The API and the background workers.
    All,
    /// Only the HTTP API (run workers elsewhere on the same PostgreSQL).
    Api,
    /// Only the background workers; nothing listens.
    Worker,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ProfileArg {
    /// Forgiving: what a developer's first client gets wrong is accepted where harmless.
    Dev,
    /// bunq's rules, no allowances.
    Strict,
}

impl From<ProfileArg> for Profile {
    fn from(arg: ProfileArg) -> Self {
        match arg {
            ProfileArg::Dev => Profile::Dev,
            ProfileArg::Strict => Profile::Strict,
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "PROVISIO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Exit at once when the database cannot be reached at start, instead of waiting for it.
    #[arg(long, env = "PROVISIO_NO_WAIT_FOR_DATABASE")]
    pub no_wait_for_database: bool,
    /// Longest to wait for the database at start (e.g. 5m); by default, as long as it takes.
    #[arg(long, env = "PROVISIO_DATABASE_WAIT", value_parser = parse_duration)]
    pub database_wait: Option<Duration>,
    /// Longest a request waits for a database connection (also while the database is away);
    /// past it the request is answered 503.
    #[arg(long, env = "PROVISIO_DB_ACQUIRE_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub db_acquire_timeout: Duration,
    /// Longest one statement may run (PostgreSQL's statement_timeout); past it, 503.
    #[arg(long, env = "PROVISIO_DB_STATEMENT_TIMEOUT", default_value = "5s", value_parser = parse_duration)]
    pub db_statement_timeout: Duration,
    /// Longest a statement waits for a lock (PostgreSQL's lock_timeout, SQLite's
    /// busy_timeout); past it, 503.
    #[arg(long, env = "PROVISIO_DB_LOCK_TIMEOUT", default_value = "3s", value_parser = parse_duration)]
    pub db_lock_timeout: Duration,
    /// Longest `GET /_provisio/ready` waits for the database before answering 503.
    #[arg(long, env = "PROVISIO_READY_TIMEOUT", default_value = "1s", value_parser = parse_duration)]
    pub ready_timeout: Duration,
    #[command(flatten)]
    pub environment: EnvironmentArgs,
    /// How strictly to apply bunq's rules.
    #[arg(long, env = "PROVISIO_PROFILE", value_enum, default_value = "dev")]
    pub profile: ProfileArg,
    /// Do not enforce devices' permitted_ips (for deployments behind proxies that hide client
    /// addresses). Ignored in the strict profile.
    #[arg(long, env = "PROVISIO_NO_IP_CHECKS")]
    pub no_ip_checks: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// How long a client may take to send a request's headers, and then its body; slower
    /// connections are closed (headers) or refused with 408 (body).
    #[arg(long, env = "PROVISIO_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// How long a process may serve a session from memory before re-reading it (e.g. 2s).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub session_cache_ttl: Duration,
    /// Delay before each background step of a provision (0s in tests, 1s is realistic).
    #[arg(long, env = "PROVISIO_STEP_DELAY", default_value = "1s", value_parser = parse_duration)]
    pub step_delay: Duration,
    /// How long a claimed job stays reserved for its worker; a worker that dies holds its jobs
    /// this long before another takes them over. Webhook deliveries are held this long plus
    /// --webhook-timeout.
    #[arg(long, env = "PROVISIO_JOB_LEASE", default_value = "30s", value_parser = parse_duration)]
    pub job_lease: Duration,
    /// Worker loops in this process (default: 4 on PostgreSQL, 1 on SQLite, whose single
    /// writer gains nothing from more).
    #[arg(long, env = "PROVISIO_WORKER_LOOPS")]
    pub worker_loops: Option<usize>,
    /// How long a webhook receiver may take to answer.
    #[arg(long, env = "PROVISIO_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub webhook_timeout: Duration,
    /// Waits before each retry of a failed webhook, comma-separated; after the last, the
    /// delivery is logged as a NotificationFilterFailure. Default: 1s,2s,4s,8s,16s in the dev
    /// profile; bunq's five retries a minute apart (60s,60s,60s,60s,60s) in strict.
    #[arg(long, env = "PROVISIO_WEBHOOK_RETRY_SCHEDULE", value_parser = parse_schedule)]
    pub webhook_retry_schedule: Option<Schedule>,
    /// What this process runs; several processes can share one PostgreSQL database.
    #[arg(long, env = "PROVISIO_ROLE", value_enum, default_value = "all")]
    pub role: RoleArg,
    /// Bearer token for the operator API under /_provisio/ (default: a new one, printed at start).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A dashboard session not used for this long is ended (on the sandbox clock).
    #[arg(long, env = "PROVISIO_DASHBOARD_IDLE", default_value = "30m", value_parser = parse_duration)]
    pub dashboard_idle: Duration,
    /// A dashboard session is ended this long after signing in, used or not.
    #[arg(long, env = "PROVISIO_DASHBOARD_LIFETIME", default_value = "12h", value_parser = parse_duration)]
    pub dashboard_lifetime: Duration,
    /// The key that seals PANs and CVC2s at rest: 32 random bytes as 64 hex digits (`openssl
    /// rand -hex 32`), kept outside the database. Without it the key is derived from the server
    /// key, which is in the database: a copy of the whole database then opens them.
    #[arg(
        long,
        env = "PROVISIO_SECRETS_KEY",
        hide_env_values = true,
        conflicts_with = "secrets_key_file"
    )]
    pub secrets_key: Option<String>,
    /// A file holding that key (64 hex digits), instead of PROVISIO_SECRETS_KEY.
    #[arg(long, env = "PROVISIO_SECRETS_KEY_FILE", value_name = "FILE")]
    pub secrets_key_file: Option<PathBuf>,
    /// How long the sandbox takes to review a submitted identity verification.
    #[arg(long, env = "PROVISIO_IDENTITY_REVIEW_DELAY", default_value = "5s", value_parser = parse_duration)]
    pub identity_review_delay: Duration,
    /// Largest accepted attachment, in bytes.
    #[arg(long, env = "PROVISIO_ATTACHMENT_LIMIT", default_value_t = 10 * 1024 * 1024)]
    pub attachment_limit: usize,
    /// Onboarding and compliance calls need the provisioned user's own session, as bunq
    /// documents (the official client uses the partner's). Always on in the strict profile.
    #[arg(long, env = "PROVISIO_USER_SESSION_ONLY")]
    pub user_session_only: bool,
    /// Raise an ONBOARDING inquiry with these entry types when a user's onboarding is created,
    /// e.g. USER_PERSON_SOURCE_OF_FUND (comma-separated).
    #[arg(long, env = "PROVISIO_ONBOARDING_INQUIRY", value_delimiter = ',')]
    pub onboarding_inquiry: Vec<String>,
    /// The most sugardaddy@bunq.com gives per request-inquiry in the sandbox (bunq's: 500.00),
    /// a decimal amount with two decimals.
    #[arg(long, env = "PROVISIO_SUGARDADDY_LIMIT", default_value = "500.00", value_parser = parse_amount)]
    pub sugardaddy_limit: i64,
    /// A fixed API key for the demo partner, for CI: seeded on an empty store, added to the
    /// "Demo Partner" of a store that has one. In the sandbox it starts with sandbox_; then 16
    /// to 128 of A-Z a-z 0-9 _ -.
    #[arg(long, env = "PROVISIO_DEMO_API_KEY", hide_env_values = true)]
    pub demo_api_key: Option<String>,
    /// Print the demo partner's new API key even when stdout is not a terminal (a file, a
    /// pipe, a CI log keeps it); on a terminal it is always printed.
    #[arg(long, env = "PROVISIO_PRINT_DEMO_KEY")]
    pub print_demo_key: bool,
    /// Fixtures to load into an empty store at start (JSON: partners with their API keys,
    /// OAuth callback URLs and scenarios); a store with partners is left as it is.
    #[arg(long, env = "PROVISIO_SEED", value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// How to write the log on stderr: text for people, json (one object a line) for machines.
    #[arg(long, env = "PROVISIO_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Retry waits, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<Duration>);

/// `60s,60s,5m` (each in the one duration syntax); empty means no retries.
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()
        .map(Schedule)
}

/// A decimal amount ("500.00") as minor units, by the one amount parser.
pub fn parse_amount(text: &str) -> Result<i64, String> {
    provisio_core::account::amount::parse_minor("the amount", text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(
            parse_schedule("1ms, 2s").map(|s| s.0),
            Ok(vec![Duration::from_millis(1), Duration::from_secs(2)])
        );
        assert_eq!(parse_schedule("").map(|s| s.0), Ok(vec![]));
        assert!(parse_schedule("1s,soon").is_err());
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("500.00"), Ok(50_000));
        assert_eq!(parse_amount("0.50"), Ok(50));
        assert!(parse_amount("500").is_err_and(|e| e.contains("two decimals")));
        assert!(parse_amount("-1.00").is_err());
    }

    #[test]
    fn every_flag_takes_the_one_syntax() {
        // The core's parser (unit-tested there); a bare number is no longer seconds.
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("3").is_err());
    }
}
