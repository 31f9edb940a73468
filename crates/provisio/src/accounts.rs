//! `provisio account list|credit`: the monetary accounts, and money into one for the sandbox,
//! on the database directly.

use clap::{Args, Subcommand};
use provisio_core::account::{amount::format_minor, AccountStatus, MonetaryAccount};

use crate::{
    args::StorageArgs,
    listing::{self, OutputArgs, Table},
    sandbox,
};

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// List monetary accounts: one user's, one partner's and its users', or everyone's.
    List(AccountListArgs),
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

#[derive(Debug, Args)]
pub struct AccountListArgs {
    /// Only this partner's accounts and those of the users its provisions made.
    #[arg(long, value_name = "PARTNER_ID", conflicts_with = "user")]
    pub partner: Option<i64>,
    /// Only this user's accounts (a partner's or a provisioned user's id).
    #[arg(long, value_name = "USER_ID")]
    pub user: Option<i64>,
    /// Only accounts in these statuses (ACTIVE, BLOCKED, CANCELLED, PENDING_REOPEN,
    /// PENDING_ACCEPTANCE, PENDING_CLOSURE, FROZEN), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

async fn list(args: AccountListArgs) -> anyhow::Result<()> {
    let statuses = listing::statuses(&args.status, AccountStatus::ALL, AccountStatus::as_str)?;
    let store = args.output.storage.open_existing().await?;
    let store = store.as_ref();
    let mut accounts = Vec::new();
    for owner in listing::owners(store, args.partner, args.user).await? {
        let mut page = listing::every_page(
            |a: &MonetaryAccount| a.id.0,
            |query| store.accounts(owner, None, query),
        )
        .await?;
        page.retain(|a| statuses.is_empty() || statuses.contains(&a.status));
        accounts.extend(page);
    }
    accounts.sort_by_key(|a| a.id.0);
    if args.output.json {
        let items = accounts.iter().map(provisio_wire::accounts::account_item);
        return listing::print_json(items.collect());
    }
    let mut table = Table::new(&[
        "ID#",
        "USER#",
        "STATUS",
        "IBAN",
        "BALANCE#",
        "CURRENCY",
        "DESCRIPTION",
    ]);
    for a in &accounts {
        table.row(vec![
            a.id.0.to_string(),
            a.user_id.0.to_string(),
            a.status.to_string(),
            a.iban.clone(),
            format_minor(a.balance_minor),
            a.currency.clone(),
            a.description.clone(),
        ]);
    }
    table.print("No monetary accounts match.")
}

pub async fn run(command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::List(args) => list(args).await,
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
            let money = |minor: i64| format_minor(minor);
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
