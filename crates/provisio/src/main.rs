//! `provisio`: the server, its workers and the operator CLI, in one binary.

mod accounts;
mod args;
mod banner;
mod cards;
mod cli;
mod compliance;
mod faults;
mod listing;
mod manual;
mod oauth;
mod operator;
mod partners;
mod provisions;
mod requests;
mod sandbox;
mod scenarios;
mod serve;
mod serve_args;
mod storage;
mod users;
mod webhooks;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command};
use serve_args::LogFormat;

/// mimalloc instead of glibc's malloc: a quarter of a cached GET's server CPU went to
/// glibc's allocator (its free lists and their consolidation), see docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve --log-format json` prints only JSON, its last word included.
    let json = matches!(&cli.command, Command::Serve(args) if args.log_format == LogFormat::Json);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let line = as_error_line(&format!("{err:#}"));
            if json {
                eprintln!(
                    "{}",
                    banner::json_line("ERROR", "exit", &line, serde_json::json!({}))
                );
            } else {
                eprintln!("provisio: {line}");
            }
            ExitCode::FAILURE
        }
    }
}

/// One style for every error, whichever layer wrote it: after the `provisio: ` prefix, a
/// sentence that starts in lower case (unless its first word is a name such as `API` or
/// `PartnerUserProvision`) and ends with a period.
fn as_error_line(message: &str) -> String {
    let message = message.trim();
    let first_word = message.split_whitespace().next().unwrap_or_default();
    let mut line = if first_word.chars().skip(1).any(char::is_uppercase) {
        message.to_owned()
    } else {
        let mut chars = message.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    };
    if !line.ends_with(['.', '!', '?']) {
        line.push('.');
    }
    line
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Completions(args) => manual::completions(&args, Cli::command()),
        Command::Man(args) => manual::man(&args, Cli::command()),
        Command::Openapi => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(provisio_server::openapi_json())?;
            out.write_all(b"\n")?;
            Ok(())
        }
        Command::Partner(command) => partners::run(command).await,
        Command::Provision(command) => provisions::run(command).await,
        Command::User(command) => users::run(command).await,
        Command::Webhooks(command) => webhooks::run(command).await,
        Command::Inquiry(command) => compliance::inquiry(command).await,
        Command::Identity(command) => compliance::identity(command).await,
        Command::Requests(command) => requests::run(command).await,
        Command::Faults(command) => faults::run(command).await,
        Command::Scenarios(command) => scenarios::run(command).await,
        Command::Card(command) => cards::run(command).await,
        Command::Clock(command) => sandbox::clock(command).await,
        Command::Reset(args) => sandbox::reset(args).await,
        Command::Account(command) => accounts::run(command).await,
        Command::Oauth(command) => oauth::run(command).await,
    }
}

#[cfg(test)]
mod tests {
    use super::as_error_line;

    #[test]
    fn errors_read_alike() {
        assert_eq!(
            as_error_line("Provision 3 is ACTIVE/NONE; only a provision can."),
            "provision 3 is ACTIVE/NONE; only a provision can."
        );
        assert_eq!(
            as_error_line("PartnerUserProvision not found."),
            "PartnerUserProvision not found."
        );
        assert_eq!(as_error_line("no delivery 3"), "no delivery 3.");
        assert_eq!(
            as_error_line("--data-dir x is a file"),
            "--data-dir x is a file."
        );
    }
}
