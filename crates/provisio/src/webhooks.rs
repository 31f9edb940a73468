//! `provisio webhooks …`: the delivery inspector on the command line.

use std::time::Duration;

use clap::{Args, Subcommand};
use provisio_core::webhook::AttemptRecord;
use provisio_server::webhooks::dispatch::Inspector;
use provisio_wire::time::format;

use crate::args::{StorageArgs, TailArgs};

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Recent deliveries, newest first, with each attempt's time, answer and latency.
    List(WebhooksListArgs),
    /// Send a delivery once more (same event id).
    Resend(DeliveryArgs),
    /// Make every pending delivery due now (also those waiting for a retry); a running server
    /// sends them on its next poll.
    RetryPending(TailArgs),
    /// Print delivery attempts as they happen.
    Tail(TailArgs),
}

#[derive(Debug, Args)]
pub struct WebhooksListArgs {
    /// Only deliveries to this URL.
    #[arg(long)]
    pub target: Option<String>,
    /// How many deliveries.
    #[arg(long, default_value_t = 20)]
    pub count: u32,
    /// Print a JSON array, each delivery with its body and the headers it is sent with.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct DeliveryArgs {
    /// The webhook delivery's id (`webhooks list` prints it first on each line).
    #[arg(value_name = "DELIVERY_ID")]
    pub id: i64,
    #[command(flatten)]
    pub storage: StorageArgs,
}

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
