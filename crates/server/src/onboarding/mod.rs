//! Onboarding and compliance (spec E, G): a provisioned user's onboarding and the
//! fulfillments that feed it, identity verification, attachments and document identification,
//! and the information inquiries bunq's compliance team raises.
//!
//! Holds the compliance service (`compliance`, shared by the operator API and the CLI),
//! `routes` (the handlers and their table) and `ui` (the dashboard's compliance buttons).
//! Imports `http`, the dashboard's shell (`crate::ui`) and the common modules at the crate
//! root only: no other domain, not the router.

pub mod compliance;
pub(crate) mod routes;
pub(crate) mod ui;
