//! `provisio clock …`: the sandbox controls, on the database directly.

use provisio_core::{
    store::Store,
    time::{parse_duration, Clock, SystemClock},
};
use provisio_server::sandbox_clock;

use crate::cli::ClockCommand;

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
            let by = parse_duration(&args.by).map_err(anyhow::Error::msg)?;
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
