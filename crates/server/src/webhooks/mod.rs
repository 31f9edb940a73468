//! Webhooks: the notification filters a user sets (spec F), the dispatcher that delivers what
//! every domain puts in the outbox, and the operator's view of those deliveries.
//!
//! Holds the delivery service (`dispatch`, also the CLI's inspector), `routes` (the handlers
//! and their table) and `ui` (the dashboard's deliveries page). Imports `http`, the dashboard's
//! shell (`crate::ui`) and the common modules at the crate root only: no other domain, not the
//! router.

pub mod dispatch;
pub(crate) mod routes;
pub(crate) mod ui;
