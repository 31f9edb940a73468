//! The sandbox's virtual clock, shared by every process on one database.
//!
//! The offset lives in the database (`sandbox_clock`, one row) and only grows; each process
//! mirrors it in its [`Clock`] (`observe_shared_offset`). Reading "now" is a synchronous,
//! lock-free call that never touches the database, so no request waits for it (nor fails with
//! the database away). The mirror is kept fresh off the request path:
//!
//! - a background task ([`keep_fresh`]) reads the offset every [`REFRESH`]: an advance made by
//!   another process (another node, the CLI) is seen here within that interval, and so is a
//!   session or credential expiry it caused;
//! - every worker and dispatcher batch reads the offset first (one indexed single-row read
//!   next to the batch's own round trips), so jobs and deliveries that an advance made due,
//!   in any process, are claimed on the next poll, in due order;
//! - the process that advances sets its mirror at once and wakes its worker and dispatcher.
//!
//! The one move back is a reset to real time (`POST /_provisio/reset` `{"clock":"real"}`):
//! the background task follows the database downwards too, but only when its mirror did not
//! move while it read (a reading that raced with an advance is dropped, the next is fresh).
//! Until then another process may run up to [`REFRESH`] ahead.
//!
//! A version counter would save nothing: reading it costs the same round trip as the offset.

use std::{sync::Arc, time::Duration};

use provisio_core::{store::Store, time::Clock, StoreError};
use tokio::sync::watch;

/// Longest a process lags behind an advance made elsewhere.
pub const REFRESH: Duration = Duration::from_millis(250);

/// Reads the shared offset into `clock`; returns it.
pub async fn refresh(store: &dyn Store, clock: &dyn Clock) -> Result<i64, StoreError> {
    let offset = store.clock_offset().await?;
    clock.observe_shared_offset(offset);
    Ok(offset)
}

/// Moves the shared clock forward by `by` and this process's mirror with it; returns the new
/// offset in microseconds.
pub async fn advance(
    store: &dyn Store,
    clock: &dyn Clock,
    by: Duration,
) -> Result<i64, StoreError> {
    let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX);
    let offset = store.advance_clock(micros).await?;
    clock.observe_shared_offset(offset);
    Ok(offset)
}

/// Sets the shared clock back to real time (offset 0) and this process's mirror with it.
/// Other processes follow within [`REFRESH`] (see [`keep_fresh`]).
pub async fn reset_to_real(store: &dyn Store, clock: &dyn Clock) -> Result<(), StoreError> {
    store.reset_clock().await?;
    clock.reset_to_real();
    Ok(())
}

/// Reads the shared offset and lets `clock` follow it, downwards too (a reset to real time
/// made by another process), unless its mirror moved while the read was on its way.
async fn follow(store: &dyn Store, clock: &dyn Clock) -> Result<(), StoreError> {
    let seen = clock.shared_offset();
    let offset = store.clock_offset().await?;
    clock.follow_shared_offset(seen, offset);
    Ok(())
}

/// Refreshes `clock` from the database every `every` until `stopped` turns true. A failed
/// read is logged once (and its recovery once), not every interval: meanwhile the process goes
/// on with the last offset it read.
pub async fn keep_fresh(
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut failing = false;
    loop {
        tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(every) => {}
        }
        match follow(store.as_ref(), clock.as_ref()).await {
            Ok(_) if failing => {
                failing = false;
                tracing::info!("the sandbox clock is read from the database again");
            }
            Ok(_) => {}
            Err(err) if !failing => {
                failing = true;
                tracing::warn!(error = ?err, "cannot read the sandbox clock; using the last offset");
            }
            Err(_) => {}
        }
    }
}
