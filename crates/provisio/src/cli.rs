//! The command line. Scripts drive these exact spellings; change them only with care.
//!
//! This file assembles the commands; each command's own arguments live in its module.

use clap::{Parser, Subcommand};

use crate::{
    accounts::AccountCommand,
    cards::CardCommand,
    compliance::{IdentityCommand, InquiryCommand},
    faults::FaultsCommand,
    manual::{CompletionsArgs, ManArgs},
    oauth::OauthCommand,
    partners::PartnerCommand,
    provisions::ProvisionCommand,
    requests::RequestsCommand,
    sandbox::{ClockCommand, ResetArgs},
    scenarios::ScenariosCommand,
    serve_args::ServeArgs,
    users::UserCommand,
    webhooks::WebhooksCommand,
};

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
    /// List provisions, and operator controls for one (works on the database directly).
    #[command(subcommand)]
    Provision(ProvisionCommand),
    /// List the users provisions made (works on the database directly).
    #[command(subcommand)]
    User(UserCommand),
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
    Requests(RequestsCommand),
    /// Make the next calls of a route fail, slow down or drop, on a running server (dev
    /// profile; asks the server).
    #[command(subcommand)]
    Faults(FaultsCommand),
    /// Scenarios (a user brought at once to a state), magic values and forced outcomes.
    #[command(subcommand)]
    Scenarios(ScenariosCommand),
    /// The sandbox's virtual clock, shared by every server on the database.
    #[command(subcommand)]
    Clock(ClockCommand),
    /// Empty the store: every partner, user, provision and webhook goes. The server key stays,
    /// so clients keep trusting the server's public key; so does the virtual clock.
    Reset(ResetArgs),
    /// Monetary accounts: list them, and money in for the sandbox (works on the database
    /// directly).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Cards: list them, and card transactions as the card network (works on the database
    /// directly).
    #[command(subcommand)]
    Card(CardCommand),
    /// OAuth consent without a browser, and users' grants (asks the server).
    #[command(subcommand)]
    Oauth(OauthCommand),
    /// Print a shell's completion script: `source <(provisio completions bash)`.
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `provisio man | man -l -`.
    Man(ManArgs),
    /// Print the OpenAPI description of every route (what `GET /_provisio/openapi.json`
    /// serves), to generate a client without a running server.
    Openapi,
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
