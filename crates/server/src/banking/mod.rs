//! Banking: monetary accounts (bank and external), their payments, and money in from an IBAN
//! elsewhere, with the ledger that keeps them consistent.
//!
//! Holds the payments service (`payments`, the profile's payment rules and money in, shared by
//! the operator API, the CLI and the scenarios), `routes` (the handlers and their table) and
//! `ui` (the dashboard's accounts pages). Imports `http`, the dashboard's shell (`crate::ui`)
//! and the common modules at the crate root only: no other domain, not the router.

pub mod payments;
pub(crate) mod routes;
pub(crate) mod ui;
