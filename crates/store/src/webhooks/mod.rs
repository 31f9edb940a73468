//! Webhooks: the outbox every change queues its events in, and the delivery worker's side
//! (notification filters, claiming and finishing deliveries, failures and retries, the
//! records of what was sent).

mod deliveries;
mod failures;
mod filters;
pub(crate) mod outbox;
mod records;
