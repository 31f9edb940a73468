//! `provisio webhooks …`: the delivery inspector on the command line.

use std::time::Duration;

use provisio_core::webhook::AttemptRecord;
use provisio_server::dispatch::Inspector;
use provisio_wire::time::format;

use crate::cli::{WebhooksCommand, WebhooksListArgs};

fn attempt_line(a: &AttemptRecord) -> String {
    let outcome = match (a.response_code, &a.error) {
        (Some(code), None) => code.to_string(),
        (Some(code), Some(error)) => format!("{code} {error}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "-".into(),
    };
    format!(
        "{}  delivery {}  {} #{}  {}  {:.1} ms  {}",
        format(a.at.micros()),
        a.delivery_id,
        a.event_type,
        a.object_id,
        a.target,
        a.latency.as_secs_f64() * 1000.0,
        outcome
    )
}

pub async fn run(command: WebhooksCommand) -> anyhow::Result<()> {
    match command {
        WebhooksCommand::List(WebhooksListArgs {
            target,
            count,
            json,
            storage,
        }) => {
            let store = storage.open_existing().await?;
            if json {
                // What `GET /_provisio/deliveries` shows, body and headers included.
                let deliveries = Inspector::from_store(store.as_ref())
                    .await?
                    .deliveries(store.as_ref(), target.as_deref(), count)
                    .await?;
                println!("{}", serde_json::to_string_pretty(&deliveries)?);
                return Ok(());
            }
            for d in store.deliveries(target.as_deref(), count).await? {
                println!(
                    "{}  {}  {} #{}  {}  event {}",
                    d.id, d.status, d.event_type, d.object_id, d.target, d.event_uuid
                );
                for a in &d.attempts {
                    println!("    {}", attempt_line(a));
                }
            }
        }
        WebhooksCommand::RetryPending(args) => {
            let store = args.storage.open_existing().await?;
            let now =
                provisio_core::time::Clock::now(&crate::sandbox::clock_of(store.as_ref()).await?);
            let pending = store.pending_due_now(now).await?;
            println!("{pending} pending deliveries are due now; a running server sends them on its next poll.");
        }
        WebhooksCommand::Resend(args) => {
            let store = args.storage.open_existing().await?;
            let now =
                provisio_core::time::Clock::now(&crate::sandbox::clock_of(store.as_ref()).await?);
            if !store.resend(args.id, now).await? {
                anyhow::bail!("no delivery {}", args.id);
            }
            println!("Delivery {} queued again.", args.id);
        }
        WebhooksCommand::Tail(args) => {
            let store = args.storage.open_existing().await?;
            let mut last = store.latest_attempt_id().await?;
            println!("Following webhook deliveries (Ctrl-C to stop)…");
            loop {
                for a in store.attempts_since(last, 500).await? {
                    last = a.id;
                    println!("{}", attempt_line(&a));
                }
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                    () = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
        }
    }
    Ok(())
}
