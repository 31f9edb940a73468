//! `provisio provision …`: listing provisions and operator controls for one, on the database
//! directly.

use clap::{Args, Subcommand};
use provisio_core::{
    model::ProvisionId,
    provision::{record::ProvisionFilter, Status},
};
use provisio_server::provisioning::ops;
use provisio_wire::{render, Item};

use crate::{
    args::StorageArgs,
    listing::{self, OutputArgs, Table},
    sandbox,
};

#[derive(Debug, Subcommand)]
pub enum ProvisionCommand {
    /// List provisions, oldest first: every partner's, or one partner's, by status or user.
    List(ProvisionListArgs),
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
pub struct ProvisionListArgs {
    /// Only this partner's provisions (its UserCompany id).
    #[arg(long, value_name = "PARTNER_ID")]
    pub partner: Option<i64>,
    /// Only provisions in these statuses (CREATED, ACTIVE, CANCELLED, FAILED, CLOSED,
    /// TOKEN_RESET_REQUESTED), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Only the provision that made this user.
    #[arg(long, value_name = "USER_ID")]
    pub user: Option<i64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

async fn list(args: ProvisionListArgs) -> anyhow::Result<()> {
    let filter = ProvisionFilter {
        statuses: listing::statuses(&args.status, Status::ALL, Status::as_str)?,
        ..ProvisionFilter::default()
    };
    let store = args.output.storage.open_existing().await?;
    let partners = listing::partners(store.as_ref(), args.partner).await?;
    let mut provisions = listing::provisions(store.as_ref(), &partners, &filter).await?;
    if let Some(user) = args.user {
        provisions.retain(|p| p.user.as_ref().is_some_and(|u| u.id.0 == user));
    }
    if args.output.json {
        let items = provisions
            .iter()
            .map(|p| Item::PartnerUserProvision(render::provision(p)));
        return listing::print_json(items.collect());
    }
    let mut table = Table::new(&[
        "ID#",
        "PARTNER#",
        "STATUS",
        "SUB_STATUS",
        "USER#",
        "EXTERNAL_UUID",
        "UPDATED",
    ]);
    for p in &provisions {
        table.row(vec![
            p.id.0.to_string(),
            p.partner.id.0.to_string(),
            p.state.status.to_string(),
            p.state.sub_status.to_string(),
            p.user.as_ref().map_or("-".into(), |u| u.id.0.to_string()),
            p.external_uuid.clone(),
            provisio_wire::time::format(p.updated.micros()),
        ]);
    }
    table.print("No provisions match.")
}

pub async fn run(command: ProvisionCommand) -> anyhow::Result<()> {
    let (args, act, what) = match command {
        ProvisionCommand::List(args) => return list(args).await,
        ProvisionCommand::Approve(a) => (a, Act::Approve, "approved"),
        ProvisionCommand::Deny(a) => (a, Act::Deny, "denied"),
        ProvisionCommand::Fail(a) => (a, Act::Fail, "failed"),
        ProvisionCommand::ExpireCredential(a) => (a, Act::ExpireCredential, "credential expired"),
        ProvisionCommand::History(a) => (a, Act::History, ""),
    };
    let store = args.storage.open_existing().await?;
    let (store, id) = (store.as_ref(), ProvisionId(args.id));
    let clock = sandbox::clock_of(store).await?;
    match act {
        Act::Approve => {
            ops::decide_onboarding(
                store,
                &clock,
                id,
                true,
                "onboarding approved by an operator",
            )
            .await?;
        }
        Act::Deny => {
            ops::decide_onboarding(store, &clock, id, false, "onboarding denied by an operator")
                .await?;
        }
        Act::Fail => {
            ops::fail(store, &clock, id).await?;
        }
        Act::ExpireCredential => ops::expire_credential(store, &clock, id).await?,
        Act::History => {
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

/// What a command does to one provision.
enum Act {
    Approve,
    Deny,
    Fail,
    ExpireCredential,
    History,
}
