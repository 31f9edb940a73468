//! The command line. Scripts drive these exact spellings; change them only with care.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use provisio_core::model::Environment;

pub use crate::serve_args::{LogFormat, RoleArg, ServeArgs};

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
    /// Card transactions, as the card network (works on the database directly).
    #[command(subcommand)]
    Card(crate::cards::CardCommand),
    /// Print the OpenAPI description of every route (what `GET /_provisio/openapi.json`
    /// serves), to generate a client without a running server.
    Openapi,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
