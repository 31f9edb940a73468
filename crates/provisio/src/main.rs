//! `provisio`: the server, its workers and the operator CLI, in one binary.

mod cards;
mod cli;
mod compliance;
mod requests;
mod sandbox;
mod scenarios;
mod serve;
mod serve_args;
mod storage;
mod webhooks;

use std::process::ExitCode;

use clap::Parser;
use provisio_server::partners::create_partner;

use cli::{Cli, Command, PartnerCommand, ProvisionCommand};
use provisio_core::model::ProvisionId;
use provisio_server::ops;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("provisio: {}", as_error_line(&format!("{err:#}")));
            ExitCode::FAILURE
        }
    }
}

/// One style for every error, whichever layer wrote it: after the `provisio: ` prefix, a
/// sentence that starts in lower case (unless its first word is a name such as `API` or
/// `PartnerUserProvision`) and ends with a period.
fn as_error_line(message: &str) -> String {
    let message = message.trim();
    let first_word = message.split_whitespace().next().unwrap_or_default();
    let mut line = if first_word.chars().skip(1).any(char::is_uppercase) {
        message.to_owned()
    } else {
        let mut chars = message.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    };
    if !line.ends_with(['.', '!', '?']) {
        line.push('.');
    }
    line
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Openapi => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(provisio_server::openapi_json())?;
            out.write_all(b"\n")?;
            Ok(())
        }
        Command::Partner(PartnerCommand::Create(args)) => {
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
        Command::Provision(command) => provision(command).await,
        Command::Webhooks(command) => webhooks::run(command).await,
        Command::Inquiry(command) => compliance::inquiry(command).await,
        Command::Identity(command) => compliance::identity(command).await,
        Command::Requests(command) => requests::run(command).await,
        Command::Scenarios(command) => scenarios::run(command).await,
        Command::Card(command) => cards::run(command).await,
        Command::Clock(command) => sandbox::clock(command).await,
        Command::Reset(args) => sandbox::reset(args).await,
        Command::Partner(PartnerCommand::Delete(args)) => sandbox::delete_partner(args).await,
        Command::Account(cli::AccountCommand::Credit(args)) => {
            let store = args.storage.open_existing().await?;
            let paid = provisio_server::payments::credit(
                store.as_ref(),
                &sandbox::clock_of(store.as_ref()).await?,
                provisio_core::model::MonetaryAccountId(args.id),
                &args.amount,
                args.from_iban.as_deref(),
                args.name.as_deref(),
                args.description.as_deref(),
            )
            .await?;
            let money = |minor| provisio_core::account::amount::format_minor(minor);
            println!(
                "Credited {} {} to account {} ({}) from {}: balance {} {} (payment {}).",
                money(paid.amount_minor),
                paid.currency,
                args.id,
                paid.alias_iban,
                paid.counterparty_iban,
                money(paid.balance_after_minor),
                paid.currency,
                paid.id
            );
            Ok(())
        }
        Command::Partner(PartnerCommand::AddKey(args)) => {
            let store = args.storage.open_existing().await?;
            let key = provisio_server::partners::add_api_key(
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
        Command::Partner(PartnerCommand::List(args)) => {
            let store = args.storage.open_existing().await?;
            let partners = store.list_partners().await?;
            if partners.is_empty() {
                println!("No partners yet; create one with `provisio partner create --name NAME`.");
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

async fn provision(command: ProvisionCommand) -> anyhow::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::as_error_line;

    #[test]
    fn errors_read_alike() {
        assert_eq!(
            as_error_line("Provision 3 is ACTIVE/NONE; only a provision can."),
            "provision 3 is ACTIVE/NONE; only a provision can."
        );
        assert_eq!(
            as_error_line("PartnerUserProvision not found."),
            "PartnerUserProvision not found."
        );
        assert_eq!(as_error_line("no delivery 3"), "no delivery 3.");
        assert_eq!(
            as_error_line("--data-dir x is a file"),
            "--data-dir x is a file."
        );
    }
}
