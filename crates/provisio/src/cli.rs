//! The command line. Scripts drive these exact spellings; change them only with care.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{Args, Parser, Subcommand, ValueEnum};
use provisio_core::model::Environment;
use provisio_server::Profile;

/// provisio: bunq's Partner User Provisioning API, self-hosted.
///
/// Start with `provisio serve`: on first start it creates a demo partner and prints its API
/// key, so a client can open an API context straight away.
#[derive(Debug, Parser)]
#[command(name = "provisio", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once at start: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server.
    Serve(ServeArgs),
    /// Manage partners (bunq UserCompany accounts with API keys).
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Operator controls for one provision (works on the database directly).
    #[command(subcommand)]
    Provision(ProvisionCommand),
    /// Inspect webhook deliveries (works on the database directly).
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Compliance inquiries, as bunq's compliance team (works on the database directly).
    #[command(subcommand)]
    Inquiry(InquiryCommand),
    /// Identity verification, as bunq's reviewers (works on the database directly).
    #[command(subcommand)]
    Identity(IdentityCommand),
    /// A running server's recent requests and why refused ones were refused (asks the server).
    #[command(subcommand)]
    Requests(crate::requests::RequestsCommand),
    /// Scenarios (a user brought at once to a state), magic values and forced outcomes.
    #[command(subcommand)]
    Scenarios(crate::scenarios::ScenariosCommand),
    /// The sandbox's virtual clock, shared by every server on the database.
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Empty the store: every partner, user, provision and webhook goes. The server key stays,
    /// so clients keep trusting the server's public key; so does the virtual clock.
    Reset(ResetArgs),
    /// Monetary accounts: money in, for the sandbox (works on the database directly).
    #[command(subcommand)]
    Account(AccountCommand),
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Required: confirms that everything but the server key is to be deleted.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Print provisio's "now" and how far it runs ahead of the system clock.
    Show(TailArgs),
    /// Move the clock forward; running servers run what fell due on their next poll.
    Advance(ClockAdvanceArgs),
}

#[derive(Debug, Args)]
pub struct ClockAdvanceArgs {
    /// How far: a positive whole number with s, m, h or d (30s, 15m, 2h, 7d).
    #[arg(value_name = "DURATION", allow_hyphen_values = true)]
    pub by: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Credit an account from an IBAN elsewhere: an incoming EBA_SCT payment, with its
    /// PAYMENT and MUTATION webhooks.
    Credit(AccountCreditArgs),
}

#[derive(Debug, Args)]
pub struct AccountCreditArgs {
    /// The monetary account's id (as in /v1/user/{userId}/monetary-account/{id}).
    #[arg(value_name = "ACCOUNT_ID")]
    pub id: i64,
    /// The amount, with exactly two decimals, in the account's currency (e.g. 100.00).
    #[arg(long)]
    pub amount: String,
    /// The IBAN the money comes from (default: NL91ABNA0417164300).
    #[arg(long = "from")]
    pub from_iban: Option<String>,
    /// The name of the sender (default: provisio sandbox).
    #[arg(long)]
    pub name: Option<String>,
    /// The payment's description (default: Sandbox credit).
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum InquiryCommand {
    /// Ask a provisioned user for information (added to its open inquiry of that purpose).
    Raise(InquiryRaiseArgs),
    /// Approve or reject an entry's answer.
    Review(InquiryReviewArgs),
    /// Cancel what is still open and finalize the inquiry.
    Finalize(InquiryArgs),
}

#[derive(Debug, Args)]
pub struct InquiryRaiseArgs {
    /// The provisioned user's id (or its UserApiKey id).
    #[arg(value_name = "USER_ID")]
    pub user: i64,
    /// ONBOARDING, COMPLIANCE_TRANSACTION_MONITORING, COMPLIANCE_SCREENING,
    /// DOCUMENT_EXPIRY_RENEWAL or EMPLOYMENT_STATUS_VERIFY.
    #[arg(long, default_value = "ONBOARDING")]
    pub purpose: String,
    /// An entry type bunq documents, such as USER_PERSON_SOURCE_OF_FUND (an unknown one is
    /// refused with the list); repeat for more.
    #[arg(long = "entry", required = true)]
    pub entries: Vec<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct InquiryReviewArgs {
    /// The id of the inquiry entry whose answer is reviewed (`inquiry raise` prints it).
    #[arg(value_name = "ENTRY_ID")]
    pub entry: i64,
    #[command(flatten)]
    pub decision: Decision,
    /// Why the answer was rejected.
    #[arg(long)]
    pub reason: Option<String>,
    /// After a rejection, ask the question again as a new entry.
    #[arg(long, requires = "reject")]
    pub reopen: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Decision {
    /// Approve it.
    #[arg(long)]
    pub approve: bool,
    /// Reject it (say why with --reason).
    #[arg(long)]
    pub reject: bool,
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Decide an identity verification now, instead of the sandbox rule after the delay.
    Decide(IdentityDecideArgs),
}

#[derive(Debug, Args)]
pub struct IdentityDecideArgs {
    /// The IdentityVerificationSession id.
    #[arg(value_name = "SESSION_ID")]
    pub id: i64,
    #[command(flatten)]
    pub decision: Decision,
    /// A fail reason for a rejection (e.g. DOCUMENT_NOT_VALID); repeat for more.
    #[arg(long = "reason")]
    pub reasons: Vec<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Recent deliveries, newest first, with each attempt's time, answer and latency.
    List(WebhooksListArgs),
    /// Send a delivery once more (same event id).
    Resend(DeliveryArgs),
    /// Make every pending delivery due now (also those waiting for a retry); a running server
    /// sends them on its next poll.
    RetryPending(TailArgs),
    /// Print delivery attempts as they happen.
    Tail(TailArgs),
}

#[derive(Debug, Args)]
pub struct WebhooksListArgs {
    /// Only deliveries to this URL.
    #[arg(long)]
    pub target: Option<String>,
    /// How many deliveries.
    #[arg(long, default_value_t = 20)]
    pub count: u32,
    /// Print a JSON array, each delivery with its body and the headers it is sent with.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Subcommand)]
pub enum ProvisionCommand {
    /// Approve the user's onboarding: CREATED/PENDING_PROCESS_USER_ONBOARDING → ACTIVE/NONE.
    Approve(ProvisionArgs),
    /// Deny the user's onboarding: → FAILED/NONE, credential revoked.
    Deny(ProvisionArgs),
    /// Make the pending background step fail: → FAILED/NONE.
    Fail(ProvisionArgs),
    /// Expire the provision's unused credential now.
    ExpireCredential(ProvisionArgs),
    /// Print the provision's history of transitions.
    History(ProvisionArgs),
}

#[derive(Debug, Args)]
pub struct ProvisionArgs {
    /// The PartnerUserProvision id (as in /v1/partner-user-provision/{id}).
    #[arg(value_name = "PROVISION_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// The webhook delivery's id (`webhooks list` prints it first on each line).
    #[arg(value_name = "DELIVERY_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct InquiryArgs {
    /// The UserInformationInquiry id (`inquiry raise` prints it).
    #[arg(value_name = "INQUIRY_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// The API and the background workers.
    All,
    /// Only the HTTP API (run workers elsewhere on the same PostgreSQL).
    Api,
    /// Only the background workers; nothing listens.
    Worker,
}

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Create a partner and print its API key (alone on the last line, shown only once).
    Create(PartnerCreateArgs),
    /// Give a partner another API key (alone on the last line, shown only once); the way to a
    /// new key when one is lost.
    AddKey(PartnerAddKeyArgs),
    /// List partners.
    List(PartnerListArgs),
    /// Delete a partner with everything it owns (users, provisions, sessions, devices,
    /// webhooks…), in one transaction.
    Delete(PartnerDeleteArgs),
}

#[derive(Debug, Args)]
pub struct PartnerDeleteArgs {
    /// The partner's UserCompany id (`partner list` prints it).
    #[arg(value_name = "PARTNER_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct PartnerAddKeyArgs {
    /// The partner's UserCompany id (`partner list` prints it).
    #[arg(value_name = "PARTNER_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

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
    /// delivery is logged as a NotificationFilterFailure. bunq's: five retries a minute apart.
    #[arg(
        long,
        env = "PROVISIO_WEBHOOK_RETRY_SCHEDULE",
        default_value = "60s,60s,60s,60s,60s",
        value_parser = parse_schedule
    )]
    pub webhook_retry_schedule: Schedule,
    /// What this process runs; several processes can share one PostgreSQL database.
    #[arg(long, env = "PROVISIO_ROLE", value_enum, default_value = "all")]
    pub role: RoleArg,
    /// Bearer token for the operator API under /_provisio/ (default: a new one, printed at start).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
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
    /// A fixed API key for the demo partner, for CI: seeded on an empty store, added to the
    /// "Demo Partner" of a store that has one. In the sandbox it starts with sandbox_; then 16
    /// to 128 of A-Z a-z 0-9 _ -.
    #[arg(long, env = "PROVISIO_DEMO_API_KEY", hide_env_values = true)]
    pub demo_api_key: Option<String>,
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

#[derive(Debug, Args)]
pub struct PartnerCreateArgs {
    /// The company name, shown as the UserCompany's display_name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

#[derive(Debug, Args)]
pub struct PartnerListArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// Retry waits, as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<Duration>);

/// `60s,60s,5m`; empty means no retries.
pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(parse_duration)
        .collect::<Result<Vec<_>, _>>()
        .map(Schedule)
}

/// `250ms`, `2s`, `5m`, `1h`, or plain seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("\"{text}\" is not a duration like 500ms, 2s, 5m or 1h"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("\"{text}\" has an unknown unit; use ms, s, m or h")),
    }
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
    fn durations() {
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
    }

    #[test]
    fn the_cli_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
