//! `provisio`: the server, its workers and the operator CLI, in one binary.

mod cli;
mod serve;

use std::process::ExitCode;

use clap::Parser;
use provisio_core::time::SystemClock;
use provisio_server::partners::create_partner;

use cli::{Cli, Command, PartnerCommand};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("provisio: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Partner(PartnerCommand::Create(args)) => {
            let store = args.storage.open().await?;
            let clock = SystemClock::new();
            let (partner, api_key) =
                create_partner(store.as_ref(), &clock, args.environment.into(), &args.name).await?;
            println!(
                "Created partner \"{}\" (UserCompany id {}).",
                partner.name, partner.id
            );
            println!("Its API key, shown only this once:");
            println!("{}", api_key.expose());
            Ok(())
        }
        Command::Partner(PartnerCommand::List(args)) => {
            let store = args.storage.open().await?;
            let partners = store.list_partners().await?;
            if partners.is_empty() {
                println!("No partners yet. Create one with: provisio partner create --name NAME");
            }
            for partner in partners {
                println!(
                    "{:>6}  {}  {}",
                    partner.id,
                    provisio_wire::time::format(partner.created.micros()),
                    partner.name
                );
            }
            Ok(())
        }
    }
}
