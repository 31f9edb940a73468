//! `provisio requests list|tail`: a running server's recent requests, with why each refused one
//! was refused. The log lives in the server's memory (see the server's `request_log`), so these
//! commands ask the server's operator API instead of reading the database.

use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use provisio_wire::{
    operator::{LoggedBody, RequestRecord},
    Item, ResponseEnvelope,
};

#[derive(Debug, Subcommand)]
pub enum RequestsCommand {
    /// The most recent requests, newest last.
    List(RequestsArgs),
    /// Print requests as the server answers them, until Ctrl-C.
    Tail(RequestsArgs),
}

#[derive(Debug, Args)]
pub struct RequestsArgs {
    /// The running server.
    #[arg(long, env = "PROVISIO_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The operator API's bearer token, as printed at the server's start (or --admin-token).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: String,
    /// Only the requests of this partner (its UserCompany id).
    #[arg(long, value_name = "PARTNER_ID")]
    pub partner: Option<i64>,
    /// How many requests `list` shows (1 to 200).
    #[arg(long, default_value_t = 20)]
    pub count: u32,
    /// Print each request's body and its answer's (secrets, PANs and CVC2s masked).
    #[arg(long)]
    pub bodies: bool,
    /// Print the requests as JSON, one object a line, bodies included.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(command: RequestsCommand) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    match command {
        RequestsCommand::List(args) => {
            for record in fetch(&http, &args, 0, args.count).await?.iter().rev() {
                print_record(record, &args)?;
            }
        }
        RequestsCommand::Tail(args) => {
            println!(
                "Following {}/_provisio/requests (Ctrl-C to stop).",
                args.url
            );
            let mut after = fetch(&http, &args, 0, 1).await?.first().map_or(0, |r| r.id);
            loop {
                let records = fetch(&http, &args, after, 200).await?;
                for record in records.iter().rev() {
                    print_record(record, &args)?;
                }
                after = records.first().map_or(after, |r| r.id);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
    Ok(())
}

async fn fetch(
    http: &reqwest::Client,
    args: &RequestsArgs,
    after: u64,
    count: u32,
) -> anyhow::Result<Vec<RequestRecord>> {
    let mut url = format!(
        "{}/_provisio/requests?after={after}&count={count}",
        args.url.trim_end_matches('/')
    );
    if let Some(partner) = args.partner {
        url.push_str(&format!("&partner={partner}"));
    }
    let body = crate::operator::send(http.get(&url), &args.url, &args.admin_token).await?;
    let envelope: ResponseEnvelope =
        serde_json::from_slice(&body).context("the server's answer is not a request list")?;
    Ok(envelope
        .response
        .into_iter()
        .filter_map(|item| match item {
            Item::RequestRecord(record) => Some(record),
            _ => None,
        })
        .collect())
}

fn print_record(record: &RequestRecord, args: &RequestsArgs) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(record)?);
    } else {
        println!("{}", line(record, args.bodies));
    }
    Ok(())
}

fn line(r: &RequestRecord, bodies: bool) -> String {
    let who = match (r.partner_id, r.user_id) {
        (Some(partner), Some(user)) if user != partner => {
            format!("partner {partner} as user {user}")
        }
        (Some(partner), _) => format!("partner {partner}"),
        _ => "-".to_owned(),
    };
    let mut line = format!(
        "{}  {} {} {}  {}ms  {who}",
        r.at, r.status, r.method, r.path, r.latency_ms
    );
    if let Some(reason) = &r.reason {
        line.push_str(&format!("\n    {reason}"));
    }
    if bodies {
        for (label, body) in [("sent", &r.request_body), ("answered", &r.response_body)] {
            if let Some(body) = body {
                line.push_str(&format!("\n    {label}: {}", shown(body)));
            }
        }
    }
    line
}

/// A body on one line: its JSON as kept (masked), or what it was.
fn shown(body: &LoggedBody) -> String {
    match &body.text {
        Some(text) if body.truncated => format!("{text}… ({} bytes, cut)", body.bytes),
        Some(text) => text.clone(),
        None => format!("({} bytes, {})", body.bytes, body.kind),
    }
}
