//! `provisio user list`: the users provisions made, with the state of the provision that made
//! each, on the database directly. Partners are users too; `provisio partner list` lists them.

use clap::{Args, Subcommand};
use provisio_core::provision::{record::ProvisionFilter, Status, UserVerifiedType};
use provisio_wire::{objects::AnyUser, render, Item};

use crate::listing::{self, OutputArgs, Table};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List the users provisions made, oldest first: every partner's or one partner's.
    List(UserListArgs),
}

#[derive(Debug, Args)]
pub struct UserListArgs {
    /// Only the users this partner's provisions made.
    #[arg(long, value_name = "PARTNER_ID")]
    pub partner: Option<i64>,
    /// Only users whose provision is in these statuses (CREATED, ACTIVE, CANCELLED, FAILED,
    /// CLOSED, TOKEN_RESET_REQUESTED), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::List(args) = command;
    let filter = ProvisionFilter {
        statuses: listing::statuses(&args.status, Status::ALL, Status::as_str)?,
        ..ProvisionFilter::default()
    };
    let store = args.output.storage.open_existing().await?;
    let partners = listing::partners(store.as_ref(), args.partner).await?;
    let provisions = listing::provisions(store.as_ref(), &partners, &filter).await?;
    // A provision that has not made its user yet has none to list.
    let mut made: Vec<_> = provisions
        .iter()
        .filter_map(|p| p.user.as_ref().map(|u| (p, u)))
        .collect();
    made.sort_by_key(|(_, u)| u.id.0);
    if args.output.json {
        // As `GET /v1/user/{id}` renders each: a `UserPerson` or a `UserCompany`.
        let items = made.iter().map(|(_, u)| match render::provisioned_user(u) {
            AnyUser::UserPerson(p) => Item::UserPerson(p),
            AnyUser::UserCompany(c) => Item::UserCompany(c),
        });
        return listing::print_json(items.collect());
    }
    let mut table = Table::new(&[
        "ID#",
        "PARTNER#",
        "PROVISION#",
        "STATUS",
        "TYPE",
        "NAME",
        "PUBLIC_UUID",
    ]);
    for (p, u) in &made {
        table.row(vec![
            u.id.0.to_string(),
            p.partner.id.0.to_string(),
            p.id.0.to_string(),
            p.state.status.to_string(),
            match u.kind {
                UserVerifiedType::Person => "PERSON".into(),
                UserVerifiedType::Company => "COMPANY".into(),
            },
            u.display_name.clone(),
            u.public_uuid.clone(),
        ]);
    }
    table.print("No users match.")
}
