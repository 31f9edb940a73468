//! `provisio faults add|list|clear`: faults injected into a running server's `/v1` routes (dev
//! profile), to test a client's retries. The faults live in the server's memory (see the
//! server's `faults`), so these commands ask its operator API.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use provisio_wire::{operator::Fault, requests::FaultRequest, Item, ResponseEnvelope};

#[derive(Debug, Subcommand)]
pub enum FaultsCommand {
    /// Make the next COUNT calls of a route fail with STATUS, wait LATENCY first, or lose
    /// their connection.
    Add(AddArgs),
    /// What is armed, with the calls each fault has left.
    List(ServerArgs),
    /// Disarm every fault.
    Clear(ServerArgs),
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The running server.
    #[arg(long, env = "PROVISIO_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The operator API's bearer token, as printed at the server's start (or --admin-token).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: String,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// GET, POST, PUT or DELETE.
    #[arg(value_name = "METHOD")]
    pub method: String,
    /// The route under /v1, as the OpenAPI document names it
    /// (/v1/user/{user_id}/monetary-account/{id}/payment: any ids), or a path with ids (only
    /// that one).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// How many calls (1 to 10000).
    #[arg(long, default_value_t = 1)]
    pub count: i64,
    /// Answer this status (400 to 599) in bunq's error envelope.
    #[arg(long)]
    pub status: Option<i64>,
    /// The error_description answered with --status.
    #[arg(long, requires = "status")]
    pub error: Option<String>,
    /// Wait this long before handling (or failing) each call, e.g. 2s or 500ms (at most 5m).
    #[arg(long)]
    pub latency: Option<String>,
    /// Close the connection without an answer.
    #[arg(long, conflicts_with = "status")]
    pub drop_connection: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

pub async fn run(command: FaultsCommand) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    match command {
        FaultsCommand::Add(args) => {
            let body = FaultRequest {
                method: Some(args.method),
                path: Some(args.path),
                count: Some(args.count),
                status: args.status,
                error: args.error,
                latency: args.latency,
                drop_connection: Some(args.drop_connection),
            };
            let url = faults_url(&args.server);
            let sent = http.post(&url).json(&body);
            for fault in answer(sent, &args.server).await? {
                println!("Armed: {}", line(&fault));
            }
        }
        FaultsCommand::List(server) => {
            let faults = answer(http.get(faults_url(&server)), &server).await?;
            if faults.is_empty() {
                println!("No faults armed.");
            }
            for fault in faults {
                println!("{}", line(&fault));
            }
        }
        FaultsCommand::Clear(server) => {
            answer(http.delete(faults_url(&server)), &server).await?;
            println!("Every fault disarmed.");
        }
    }
    Ok(())
}

fn faults_url(server: &ServerArgs) -> String {
    format!("{}/_provisio/faults", server.url.trim_end_matches('/'))
}

async fn answer(
    request: reqwest::RequestBuilder,
    server: &ServerArgs,
) -> anyhow::Result<Vec<Fault>> {
    let body = crate::operator::send(request, &server.url, &server.admin_token).await?;
    let envelope: ResponseEnvelope =
        serde_json::from_slice(&body).context("the server's answer is not a list of faults")?;
    Ok(envelope
        .response
        .into_iter()
        .filter_map(|item| match item {
            Item::Fault(fault) => Some(fault),
            _ => None,
        })
        .collect())
}

/// `#1  POST /v1/…/payment  2 calls left  503 "Busy."  after 2s`.
fn line(f: &Fault) -> String {
    let mut text = format!(
        "#{}  {} {}  {} call{} left",
        f.id,
        f.method,
        f.path,
        f.remaining,
        if f.remaining == 1 { "" } else { "s" }
    );
    if let Some(status) = f.status {
        text.push_str(&format!("  {status}"));
    }
    if let Some(error) = &f.error {
        text.push_str(&format!(" {error:?}"));
    }
    if f.drop_connection {
        text.push_str("  connection dropped");
    }
    if let Some(latency) = &f.latency {
        text.push_str(&format!("  after {latency}"));
    }
    text
}
