//! Webhooks: the outbox every change queues its events in, and the delivery worker's side.
//!
//! - `outbox`: an event queued as one delivery per target, inside the transaction of the
//!   change. Generic: it knows events, targets and bodies, not what they are about.
//! - `deliveries`: claiming and finishing deliveries, resending; the `WebhookStore`, which
//!   hands the rest to `filters` (notification filters), `failures` (a partner's failed
//!   deliveries and their retry) and `records` (what was sent, with its attempts).
//!
//! Boundary: the bottom domain. Imports only the common modules (`db_err`, `page`, `lease`, `frozen`,
//! the writer); every folder above may queue events through `outbox`, its one export.

mod deliveries;
mod failures;
mod filters;
pub(crate) mod outbox;
mod records;
