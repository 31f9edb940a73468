//! `provisio webhooks …`: the delivery inspector on the command line, and what a running
//! server's built-in sink kept (`sink`, which asks the server: the sink lives in its memory).

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
    /// What a running server's built-in sink NAME kept (`/_provisio/sink/NAME`, dev profile),
    /// oldest first, each with whether its signature verifies (asks the server).
    Sink(SinkArgs),
}

#[derive(Debug, Args)]
pub struct SinkArgs {
    /// The sink's name: the last segment of the URL the notification filter points at.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The running server.
    #[arg(long, env = "PROVISIO_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The operator API's bearer token, as printed at the server's start (or --admin-token).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: String,
    /// Keep printing what arrives, until Ctrl-C.
    #[arg(long)]
    pub follow: bool,
    /// Print a JSON array of what was kept (headers included) instead.
    #[arg(long, conflicts_with = "follow")]
    pub json: bool,
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
        WebhooksCommand::Sink(args) => return sink::run(&args).await,
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

mod sink {
    use std::time::Duration;

    use anyhow::Context as _;
    use provisio_wire::{operator::SinkRequest, Item, ResponseEnvelope};

    use super::SinkArgs;

    pub async fn run(args: &SinkArgs) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let kept = fetch(&http, args, 0).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&kept)?);
            return Ok(());
        }
        if kept.is_empty() && !args.follow {
            println!("Nothing arrived at sink {} yet.", args.name);
        }
        let mut after = 0;
        for request in &kept {
            print!("{}", block(request));
            after = request.id;
        }
        if !args.follow {
            return Ok(());
        }
        println!(
            "Following {}/_provisio/sink/{} (Ctrl-C to stop)…",
            args.url.trim_end_matches('/'),
            args.name
        );
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(()),
                () = tokio::time::sleep(Duration::from_millis(500)) => {}
            }
            for request in fetch(&http, args, after).await? {
                print!("{}", block(&request));
                after = request.id;
            }
        }
    }

    async fn fetch(
        http: &reqwest::Client,
        args: &SinkArgs,
        after: u64,
    ) -> anyhow::Result<Vec<SinkRequest>> {
        let url = format!(
            "{}/_provisio/sink/{}?after={after}",
            args.url.trim_end_matches('/'),
            args.name
        );
        let body = crate::operator::send(http.get(&url), &args.url, &args.admin_token).await?;
        let envelope: ResponseEnvelope =
            serde_json::from_slice(&body).context("the server's answer is not a sink's list")?;
        Ok(envelope
            .response
            .into_iter()
            .filter_map(|item| match item {
                Item::SinkRequest(request) => Some(request),
                _ => None,
            })
            .collect())
    }

    /// One request: a line saying when, its signature and size, then its body (indented, and
    /// pretty when it is JSON).
    fn block(r: &SinkRequest) -> String {
        let cut = if r.truncated { " (cut)" } else { "" };
        let mut text = format!(
            "#{}  {}  signature {}  {} bytes{cut}\n",
            r.id, r.at, r.signature, r.body_bytes
        );
        let body = serde_json::from_str::<serde_json::Value>(&r.body)
            .ok()
            .and_then(|json| serde_json::to_string_pretty(&json).ok())
            .unwrap_or_else(|| r.body.clone());
        for line in body.lines() {
            text.push_str("    ");
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}
