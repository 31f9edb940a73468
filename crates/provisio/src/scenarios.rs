//! `provisio scenarios list|run`: the sandbox's scenarios, magic values and forced outcomes,
//! and running a scenario straight on the database (a running server sends its webhooks on
//! its next poll).

use clap::{Args, Subcommand};
use provisio_core::model::UserId;
use provisio_server::sandbox::scenarios::{self, Runnable};

use crate::args::{EnvironmentArgs, StorageArgs};

#[derive(Debug, Subcommand)]
pub enum ScenariosCommand {
    /// Every scenario, magic value and forced outcome, with what it does.
    List,
    /// Run a scenario: a provisioned user brought at once to a state.
    Run(ScenarioRunArgs),
}

#[derive(Debug, Args)]
pub struct ScenarioRunArgs {
    /// onboarding-user, active-user, failed-user or closed-user.
    #[arg(value_name = "SCENARIO")]
    pub name: String,
    /// The partner's UserCompany id (`partner list` prints it).
    #[arg(long, value_name = "PARTNER_ID")]
    pub partner: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub environment: EnvironmentArgs,
}

pub async fn run(command: ScenariosCommand) -> anyhow::Result<()> {
    match command {
        ScenariosCommand::List => {
            // Without a server to ask: Sugar Daddy as `serve` starts in the sandbox by default.
            let limit = provisio_core::account::request::DEFAULT_SUGARDADDY_LIMIT_MINOR;
            for s in scenarios::catalogue(Some(limit)) {
                println!("{}  [{}]\n    {}", s.name, s.kind, s.description);
            }
        }
        ScenariosCommand::Run(args) => {
            let Some(scenario) = Runnable::parse(&args.name) else {
                anyhow::bail!(
                    "there is no scenario {}; `provisio scenarios list` lists them.",
                    provisio_core::text::quoted(&args.name)
                );
            };
            let store = args.storage.open_existing().await?;
            let provision = scenarios::run(
                store.as_ref(),
                &crate::sandbox::clock_of(store.as_ref()).await?,
                args.environment.environment.into(),
                UserId(args.partner),
                scenario,
            )
            .await?;
            println!(
                "Provision {} is {}/{}.",
                provision.id, provision.state.status, provision.state.sub_status
            );
            let credential = provision
                .credential
                .as_ref()
                .and_then(|c| c.token_value.as_deref());
            if let Some(token) = credential {
                println!("Its credential (the user's API key), shown until first use:");
                println!("{token}");
            }
        }
    }
    Ok(())
}
