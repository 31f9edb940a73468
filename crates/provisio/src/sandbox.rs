//! `provisio clock …`, `provisio partner delete`, `provisio reset`: the sandbox controls, on
//! the database directly. Running servers notice within their cache lifetime (2 s by
//! default) and their next clock refresh.

use provisio_core::{
    store::Store,
    time::{parse_duration, Clock, SystemClock},
};
use provisio_server::sandbox_clock;

use crate::cli::{ClockCommand, PartnerDeleteArgs, ResetArgs};

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

pub async fn delete_partner(args: PartnerDeleteArgs) -> anyhow::Result<()> {
    let store = args.storage.open_existing().await?;
    let id = provisio_core::model::UserId(args.id);
    let Some(users) = store.delete_partner(id).await? else {
        anyhow::bail!("no partner {}", args.id);
    };
    println!(
        "Deleted partner {} and everything it owned ({} users in all).",
        args.id,
        users.len()
    );
    Ok(())
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
