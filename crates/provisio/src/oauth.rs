//! `provisio oauth authorize|grants|revoke`: OAuth consent for CI, without a browser (issue 19).
//! A running server's operator API answers (`/_provisio/oauth/…`), so the code is made where
//! the partner will exchange it.

use anyhow::Context as _;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

#[derive(Debug, Subcommand)]
pub enum OauthCommand {
    /// Answer a consent request as the user would; prints the URL the browser would be sent
    /// to (the callback with `code` and `state`, or `error=access_denied`).
    Authorize(AuthorizeArgs),
    /// Users' grants, newest first (JSON).
    Grants(GrantsArgs),
    /// Revoke a grant: its sessions end at once.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct Server {
    /// The running server.
    #[arg(long, env = "PROVISIO_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// The operator API's bearer token, as printed at the server's start (or --admin-token).
    #[arg(long, env = "PROVISIO_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: String,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    #[command(flatten)]
    pub server: Server,
    /// The partner's OAuth client (its client_id).
    #[arg(long)]
    pub client_id: String,
    /// One of the client's callback URLs, exactly.
    #[arg(long)]
    pub redirect_uri: String,
    /// Sent back with the code.
    #[arg(long, default_value = "")]
    pub state: String,
    /// The consenting user (a sandbox user or a provisioned user); needed unless --deny.
    #[arg(long, value_name = "USER_ID", required_unless_present = "deny")]
    pub user: Option<i64>,
    /// Deny instead of approving.
    #[arg(long)]
    pub deny: bool,
}

#[derive(Debug, Args)]
pub struct GrantsArgs {
    #[command(flatten)]
    pub server: Server,
    /// Only this user's grants.
    #[arg(long, value_name = "USER_ID")]
    pub user: Option<i64>,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub server: Server,
    /// The grant's id (from `provisio oauth grants`).
    pub grant: i64,
}

pub async fn run(command: OauthCommand) -> anyhow::Result<()> {
    match command {
        OauthCommand::Authorize(args) => {
            let body = json!({
                "client_id": args.client_id,
                "redirect_uri": args.redirect_uri,
                "state": args.state,
                "user_id": args.user,
                "approve": !args.deny,
            });
            let answer = call(&args.server, "/oauth/authorize", Some(body)).await?;
            println!("{}", answer["redirect_url"].as_str().unwrap_or_default());
        }
        OauthCommand::Grants(args) => {
            let path = match args.user {
                Some(user) => format!("/oauth/grants?user_id={user}"),
                None => "/oauth/grants".to_owned(),
            };
            let answer = call(&args.server, &path, None).await?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
        }
        OauthCommand::Revoke(args) => {
            let path = format!("/oauth/grants/{}/revoke", args.grant);
            let answer = call(&args.server, &path, Some(json!({}))).await?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
        }
    }
    Ok(())
}

/// GET (no body) or POST `/_provisio{path}`, the answer's JSON or the server's refusal.
async fn call(server: &Server, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let url = format!("{}/_provisio{path}", server.url.trim_end_matches('/'));
    let http = reqwest::Client::new();
    let request = match body {
        Some(body) => http.post(&url).json(&body),
        None => http.get(&url),
    };
    let body = crate::operator::send(request, &server.url, &server.admin_token).await?;
    serde_json::from_slice(&body).context("the server's answer is not JSON")
}
