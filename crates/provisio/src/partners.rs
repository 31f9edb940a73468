//! `provisio partner …`: creating partners, giving them keys, listing and deleting them, on the
//! database directly.

use clap::{Args, Subcommand};
use provisio_server::context::partners::create_partner;

use crate::{
    args::{EnvironmentArgs, StorageArgs},
    listing::{self, OutputArgs, Table},
    sandbox,
};

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
    pub output: OutputArgs,
}

pub async fn run(command: PartnerCommand) -> anyhow::Result<()> {
    match command {
        PartnerCommand::Create(args) => {
            let store = args.storage.open_or_create().await?;
            let clock = sandbox::clock_of(store.as_ref()).await?;
            let (partner, api_key) = create_partner(
                store.as_ref(),
                &clock,
                args.environment.environment.into(),
                &args.name,
            )
            .await?;
            println!(
                "Created partner \"{}\" (UserCompany id {}).",
                partner.name, partner.id
            );
            println!("Its API key, shown only this once:");
            println!("{}", api_key.expose());
            Ok(())
        }
        PartnerCommand::AddKey(args) => {
            let store = args.storage.open_existing().await?;
            let key = provisio_server::context::partners::add_api_key(
                store.as_ref(),
                &sandbox::clock_of(store.as_ref()).await?,
                args.environment.environment.into(),
                provisio_core::model::UserId(args.id),
            )
            .await?;
            println!("New API key for partner {}, shown only this once:", args.id);
            println!("{}", key.expose());
            Ok(())
        }
        PartnerCommand::List(args) => {
            let store = args.output.storage.open_existing().await?;
            let partners = store.list_partners().await?;
            if args.output.json {
                // As `GET /v1/user/{id}` renders a partner: its UserCompany.
                let items = partners.iter().map(|p| {
                    provisio_wire::Item::UserCompany(provisio_wire::render::user_company(p))
                });
                return listing::print_json(items.collect());
            }
            let mut table = Table::new(&["ID#", "CREATED", "NAME"]);
            for partner in partners {
                table.row(vec![
                    partner.id.to_string(),
                    provisio_wire::time::format(partner.created.micros()),
                    partner.name,
                ]);
            }
            table.print("No partners yet; create one with `provisio partner create --name NAME`.")
        }
        PartnerCommand::Delete(args) => delete_partner(args).await,
    }
}

async fn delete_partner(args: PartnerDeleteArgs) -> anyhow::Result<()> {
    let store = args.storage.open_existing().await?;
    let id = provisio_core::model::UserId(args.id);
    let Some(users) = store.delete_partner(id).await? else {
        anyhow::bail!("no partner {}", args.id);
    };
    println!(
        "Deleted partner {} and everything it owned ({} users in all).",
        args.id,
        users.len()
    );
    Ok(())
}
