//! `provisio account credit`: money into a monetary account, for the sandbox, on the database
//! directly.

use clap::{Args, Subcommand};

use crate::{args::StorageArgs, sandbox};

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

pub async fn run(command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::Credit(args) => {
            let store = args.storage.open_existing().await?;
            let paid = provisio_server::banking::payments::credit(
                store.as_ref(),
                &sandbox::clock_of(store.as_ref()).await?,
                provisio_core::model::MonetaryAccountId(args.id),
                &args.amount,
                args.from_iban.as_deref(),
                args.name.as_deref(),
                args.description.as_deref(),
                None,
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
    }
}
