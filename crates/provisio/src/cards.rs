//! `provisio card list`, and `provisio card authorize|reverse|settle`: the card network,
//! simulated straight on the database (a running server sends the resulting webhooks on its
//! next poll).

use clap::{Args, Subcommand};
use provisio_core::{
    account::amount::format_minor,
    card::{
        action::{AuthorizationInput, MasterCardAction},
        Card, CardStatus,
    },
    model::{CardId, MasterCardActionId},
    store::AuthorizationOutcome,
};
use provisio_server::cards;

use crate::{
    args::StorageArgs,
    listing::{self, OutputArgs, Table},
};

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// List cards: one user's, one partner's and its users', or everyone's.
    List(CardListArgs),
    /// A merchant's authorization on a card: approved (the account is debited) or declined
    /// (recorded with the reason, no money moves); with --identity-check a 3DS challenge the
    /// user must answer first.
    Authorize(AuthorizeArgs),
    /// Reverse an authorized, unsettled card transaction: the money goes back.
    Reverse(ActionArgs),
    /// Settle an authorized card transaction (clearing complete; no money moves).
    Settle(ActionArgs),
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The card's id (as in /v1/user/{userId}/card/{id}).
    #[arg(value_name = "CARD_ID")]
    pub card: i64,
    /// The amount, with exactly two decimals, in the card's currency (e.g. 12.50).
    #[arg(long)]
    pub amount: String,
    /// The merchant's name.
    #[arg(long)]
    pub merchant: String,
    /// The merchant's city (default: Amsterdam).
    #[arg(long)]
    pub city: Option<String>,
    /// The merchant's country, ISO 3166-1 alpha-2 (default: NL).
    #[arg(long)]
    pub country: Option<String>,
    /// ATM, ICC, MAGNETIC_STRIPE, E_COMMERCE (default) or CONTACTLESS; ATM uses card_limit_atm.
    #[arg(long)]
    pub entry_mode: Option<String>,
    /// Force a decline with this reason (`provisio scenarios list` lists them).
    #[arg(long)]
    pub decline_reason: Option<String>,
    /// Ask the user first (3DS): a MasterCardIdentityCheckChallengeRequest.
    #[arg(long)]
    pub identity_check: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct ActionArgs {
    /// The card transaction's id (MasterCardAction id).
    #[arg(value_name = "ACTION_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct CardListArgs {
    /// Only the cards of this partner and of the users its provisions made.
    #[arg(long, value_name = "PARTNER_ID", conflicts_with = "user")]
    pub partner: Option<i64>,
    /// Only this user's cards (a partner's or a provisioned user's id).
    #[arg(long, value_name = "USER_ID")]
    pub user: Option<i64>,
    /// Only cards in these statuses (e.g. ACTIVE, DEACTIVATED, LOST, STOLEN, CANCELLED),
    /// comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

async fn list(args: CardListArgs) -> anyhow::Result<()> {
    let statuses = listing::statuses(&args.status, CardStatus::ALL, CardStatus::as_str)?;
    let store = args.output.storage.open_existing().await?;
    let store = store.as_ref();
    let mut found = Vec::new();
    for owner in listing::owners(store, args.partner, args.user).await? {
        let mut page =
            listing::every_page(|c: &Card| c.id.0, |query| store.cards(owner, query)).await?;
        page.retain(|c| statuses.is_empty() || statuses.contains(&c.status));
        found.extend(page);
    }
    found.sort_by_key(|c| c.id.0);
    if args.output.json {
        let items = found.iter().map(provisio_wire::cards::card_item);
        return listing::print_json(items.collect());
    }
    let mut table = Table::new(&[
        "ID#",
        "USER#",
        "TYPE",
        "STATUS",
        "ORDER_STATUS",
        "ACCOUNT#",
        "PAN",
        "EXPIRY",
        "NAME_ON_CARD",
    ]);
    for c in &found {
        table.row(vec![
            c.id.0.to_string(),
            c.user_id.0.to_string(),
            c.kind.to_string(),
            c.status.to_string(),
            c.order_status.to_string(),
            c.monetary_account_id.0.to_string(),
            format!("**{}", c.pan_last_four),
            c.expiry_date.clone(),
            c.name_on_card.clone(),
        ]);
    }
    table.print("No cards match.")
}

fn describe(a: &MasterCardAction) -> String {
    format!(
        "Card transaction {} on card {}: {} {} at {}, {} ({}), settlement {}.",
        a.id,
        a.card_id,
        format_minor(a.amount_minor),
        a.currency,
        a.merchant.name,
        a.authorisation_status,
        a.decision,
        a.settlement_status
    )
}

pub async fn run(command: CardCommand) -> anyhow::Result<()> {
    match command {
        CardCommand::List(args) => return list(args).await,
        CardCommand::Authorize(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let input = AuthorizationInput {
                amount: Some(args.amount),
                currency: None,
                merchant: Some(args.merchant),
                city: args.city,
                country: args.country,
                merchant_category_code: None,
                pan_entry_mode: args.entry_mode,
                decline_reason: args.decline_reason,
                identity_check: args.identity_check,
            };
            match cards::authorize(store.as_ref(), &clock, CardId(args.card), &input, None).await? {
                AuthorizationOutcome::Action(a) => println!("{}", describe(&a)),
                AuthorizationOutcome::Challenge(c) => println!(
                    "Challenge {} for {} {} at {} is PENDING until the user answers it (GET /v1/user/{}/challenge-request/{}).",
                    c.id,
                    format_minor(c.amount_minor),
                    c.currency,
                    c.merchant.name,
                    c.user_id,
                    c.id
                ),
            }
        }
        CardCommand::Reverse(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let action =
                cards::reverse(store.as_ref(), &clock, MasterCardActionId(args.id), None).await?;
            println!("{}", describe(&action));
        }
        CardCommand::Settle(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let action =
                cards::settle(store.as_ref(), &clock, MasterCardActionId(args.id), None).await?;
            println!("{}", describe(&action));
        }
    }
    Ok(())
}
