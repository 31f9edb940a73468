//! `provisio provision …`: operator controls for one provision, on the database directly.

use clap::{Args, Subcommand};
use provisio_core::model::ProvisionId;
use provisio_server::provisioning::ops;

use crate::{args::StorageArgs, sandbox};

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

pub async fn run(command: ProvisionCommand) -> anyhow::Result<()> {
    let (args, what) = match &command {
        ProvisionCommand::Approve(a) => (a, "approved"),
        ProvisionCommand::Deny(a) => (a, "denied"),
        ProvisionCommand::Fail(a) => (a, "failed"),
        ProvisionCommand::ExpireCredential(a) => (a, "credential expired"),
        ProvisionCommand::History(a) => (a, ""),
    };
    let store = args.storage.open_existing().await?;
    let (store, id) = (store.as_ref(), ProvisionId(args.id));
    let clock = sandbox::clock_of(store).await?;
    match command {
        ProvisionCommand::Approve(_) => {
            ops::decide_onboarding(
                store,
                &clock,
                id,
                true,
                "onboarding approved by an operator",
            )
            .await?;
        }
        ProvisionCommand::Deny(_) => {
            ops::decide_onboarding(store, &clock, id, false, "onboarding denied by an operator")
                .await?;
        }
        ProvisionCommand::Fail(_) => {
            ops::fail(store, &clock, id).await?;
        }
        ProvisionCommand::ExpireCredential(_) => ops::expire_credential(store, &clock, id).await?,
        ProvisionCommand::History(_) => {
            for entry in ops::history(store, id).await? {
                let from = entry
                    .from
                    .map(|(s, u)| format!("{s}/{u}"))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}  {from} -> {}/{}  {}",
                    provisio_wire::time::format(entry.at.micros()),
                    entry.to.0,
                    entry.to.1,
                    entry.cause
                );
            }
            return Ok(());
        }
    }
    println!("Provision {id}: {what}.");
    Ok(())
}
