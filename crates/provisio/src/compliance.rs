//! `provisio inquiry …` and `provisio identity …`: the sandbox's compliance team and
//! identity reviewers, on the database directly. A running server sends the resulting
//! webhooks on its next poll.

use provisio_core::model::UserId;
use provisio_server::compliance;

use crate::cli::{IdentityCommand, InquiryCommand};

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
