//! `provisio clock …`, `provisio reset`: the sandbox controls, on the database directly.
//! Running servers notice within their cache lifetime (2 s by default) and their next clock
//! refresh. Also the clock every command reads.

use clap::{Args, Subcommand};
use provisio_core::{
    store::Store,
    time::{clock_step, parse_duration, Clock, SystemClock},
};
use provisio_server::sandbox_clock;

use crate::args::{StorageArgs, TailArgs};

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Print provisio's "now" and how far it runs ahead of the system clock.
    Show(TailArgs),
    /// Move the clock forward; running servers run what fell due on their next poll.
    Advance(ClockAdvanceArgs),
}

#[derive(Debug, Args)]
pub struct ClockAdvanceArgs {
    /// How far: a duration (30s, 15m, 2h, 7d), at least 1s.
    #[arg(value_name = "DURATION", allow_hyphen_values = true)]
    pub by: String,
    #[command(flatten)]
    pub storage: StorageArgs,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Required: confirms that everything but the server key is to be deleted.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
}

/// The clock every command reads: the system clock plus the sandbox's durable offset.
pub async fn clock_of(store: &dyn Store) -> anyhow::Result<SystemClock> {
    let clock = SystemClock::new();
    sandbox_clock::refresh(store, &clock).await?;
    Ok(clock)
}

pub async fn clock(command: ClockCommand) -> anyhow::Result<()> {
    match command {
        ClockCommand::Show(args) => {
            let store = args.storage.open_existing().await?;
            let clock = clock_of(store.as_ref()).await?;
            print_clock(&clock);
        }
        ClockCommand::Advance(args) => {
            let by = parse_duration(&args.by)
                .and_then(clock_step)
                .map_err(anyhow::Error::msg)?;
            let store = args.storage.open_existing().await?;
            let clock = SystemClock::new();
            sandbox_clock::advance(store.as_ref(), &clock, by).await?;
            print_clock(&clock);
        }
    }
    Ok(())
}

fn print_clock(clock: &SystemClock) {
    println!(
        "now {}  (offset {}s)",
        provisio_wire::time::format(clock.now().micros()),
        clock.shared_offset() / 1_000_000
    );
}

pub async fn reset(args: ResetArgs) -> anyhow::Result<()> {
    if !args.yes {
        anyhow::bail!(
            "a reset deletes every partner, user, provision and webhook; \
             run `provisio reset --yes` to confirm"
        );
    }
    let store = args.storage.open_existing().await?;
    store.reset().await?;
    println!("The store is empty; the server key and the virtual clock are kept.");
    Ok(())
}
