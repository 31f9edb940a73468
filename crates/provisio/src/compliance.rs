//! `provisio inquiry …` and `provisio identity …`: the sandbox's compliance team and
//! identity reviewers, on the database directly. A running server sends the resulting
//! webhooks on its next poll.

use clap::{Args, Subcommand};
use provisio_core::model::UserId;
use provisio_server::onboarding::compliance;

use crate::args::StorageArgs;

#[derive(Debug, Subcommand)]
pub enum InquiryCommand {
    /// Ask a provisioned user for information (added to its open inquiry of that purpose).
    Raise(InquiryRaiseArgs),
    /// Approve or reject an entry's answer.
    Review(InquiryReviewArgs),
    /// Cancel what is still open and finalize the inquiry.
    Finalize(InquiryArgs),
}

#[derive(Debug, Args)]
pub struct InquiryRaiseArgs {
    /// The provisioned user's id (or its UserApiKey id).
    #[arg(value_name = "USER_ID")]
    pub user: i64,
    /// ONBOARDING, COMPLIANCE_TRANSACTION_MONITORING, COMPLIANCE_SCREENING,
    /// DOCUMENT_EXPIRY_RENEWAL or EMPLOYMENT_STATUS_VERIFY.
    #[arg(long, default_value = "ONBOARDING")]
    pub purpose: String,
    /// An entry type bunq documents, such as USER_PERSON_SOURCE_OF_FUND (an unknown one is
    /// refused with the list); repeat for more.
    #[arg(long = "entry", required = true)]
    pub entries: Vec<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct InquiryReviewArgs {
    /// The id of the inquiry entry whose answer is reviewed (`inquiry raise` prints it).
    #[arg(value_name = "ENTRY_ID")]
    pub entry: i64,
    #[command(flatten)]
    pub decision: Decision,
    /// Why the answer was rejected.
    #[arg(long)]
    pub reason: Option<String>,
    /// After a rejection, ask the question again as a new entry.
    #[arg(long, requires = "reject")]
    pub reopen: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct InquiryArgs {
    /// The UserInformationInquiry id (`inquiry raise` prints it).
    #[arg(value_name = "INQUIRY_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Decision {
    /// Approve it.
    #[arg(long)]
    pub approve: bool,
    /// Reject it (say why with --reason).
    #[arg(long)]
    pub reject: bool,
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// Decide an identity verification now, instead of the sandbox rule after the delay.
    Decide(IdentityDecideArgs),
}

#[derive(Debug, Args)]
pub struct IdentityDecideArgs {
    /// The IdentityVerificationSession id.
    #[arg(value_name = "SESSION_ID")]
    pub id: i64,
    #[command(flatten)]
    pub decision: Decision,
    /// A fail reason for a rejection (e.g. DOCUMENT_NOT_VALID); repeat for more.
    #[arg(long = "reason")]
    pub reasons: Vec<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
}

pub async fn inquiry(command: InquiryCommand) -> anyhow::Result<()> {
    match command {
        InquiryCommand::Raise(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let id = compliance::raise(
                store.as_ref(),
                &clock,
                UserId(args.user),
                &args.purpose,
                args.entries,
            )
            .await?;
            let inquiry = store.inquiry(id).await?;
            println!("Inquiry {id} for user {}:", args.user);
            for entry in inquiry.iter().flat_map(|i| &i.entries) {
                println!(
                    "  entry {:>6}  {:<20} {}",
                    entry.id, entry.status, entry.kind
                );
            }
        }
        InquiryCommand::Review(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let approved = args.decision.approve;
            compliance::review(
                store.as_ref(),
                &clock,
                args.entry,
                approved,
                args.reason.as_deref(),
                args.reopen,
            )
            .await?;
            let what = if approved { "approved" } else { "rejected" };
            let reopened = if args.reopen { ", asked again" } else { "" };
            println!("Entry {}: {what}{reopened}.", args.entry);
        }
        InquiryCommand::Finalize(args) => {
            let store = args.storage.open_existing().await?;
            let clock = crate::sandbox::clock_of(store.as_ref()).await?;
            let inquiry = compliance::finalize(store.as_ref(), &clock, args.id).await?;
            println!("Inquiry {}: {}.", inquiry.id, inquiry.status);
        }
    }
    Ok(())
}

pub async fn identity(command: IdentityCommand) -> anyhow::Result<()> {
    let IdentityCommand::Decide(args) = command;
    let store = args.storage.open_existing().await?;
    let clock = crate::sandbox::clock_of(store.as_ref()).await?;
    let result = if args.decision.approve {
        "APPROVED"
    } else {
        "REJECTED"
    };
    let session =
        compliance::decide_identity(store.as_ref(), &clock, args.id, result, args.reasons).await?;
    let reasons = session
        .verdict
        .map(|v| v.fail_reasons.join(", "))
        .filter(|r| !r.is_empty())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    println!("Identity verification {}: {result}{reasons}.", session.id);
    Ok(())
}
