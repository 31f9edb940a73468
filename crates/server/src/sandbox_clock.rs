//! The sandbox's virtual clock, shared by every process on one database.
//!
//! The offset lives in the database (`sandbox_clock`, one row) and only grows; each process
//! mirrors it in its [`Clock`] (`observe_shared_offset`). Reading "now" stays a synchronous,
//! lock-free call; what costs a query is refreshing the mirror, so it is done where it matters:
//!
//! - every worker and dispatcher batch reads the offset first (one indexed single-row read
//!   next to the batch's own round trips), so jobs and deliveries that an advance made due,
//!   in any process, are claimed on the next poll, in due order;
//! - the request path refreshes at most every [`REQUEST_REFRESH`]: a session or credential
//!   expiry another process caused is seen within that, and a request never waits for it more
//!   than once per interval;
//! - the process that advances sets its mirror at once and wakes its worker and dispatcher.
//!
//! A version counter would save nothing: reading it costs the same round trip as the offset.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use provisio_core::{store::Store, time::Clock, StoreError};

/// Longest a request-serving process lags behind an advance made elsewhere.
pub const REQUEST_REFRESH: Duration = Duration::from_millis(250);

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

/// Rate-limits the request path's refreshes.
#[derive(Debug, Default)]
pub(crate) struct Throttle {
    last: Mutex<Option<Instant>>,
}

impl Throttle {
    /// Refreshes unless another request did within [`REQUEST_REFRESH`]. A failed read is
    /// logged and skipped: the request goes on with the last known offset.
    pub(crate) async fn refresh(&self, store: &dyn Store, clock: &dyn Clock) {
        let due = match self.last.lock() {
            Ok(mut last) => {
                let due = last.is_none_or(|at| at.elapsed() >= REQUEST_REFRESH);
                if due {
                    *last = Some(Instant::now());
                }
                due
            }
            Err(_) => true,
        };
        if due {
            if let Err(err) = refresh(store, clock).await {
                tracing::warn!(error = ?err, "cannot read the sandbox clock; using the last offset");
            }
        }
    }
}
