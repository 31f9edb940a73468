//! Cards: debit and credit cards on a user's accounts, their PAN and CVC2s, the card
//! transactions (MasterCardActions) merchants cause, and 3DS challenges.
//!
//! Holds the card network (`network`: a merchant's authorisation, its reversal and
//! settlement, shared by the operator API, the dashboard and `provisio card`; its calls are
//! this module's public surface), `routes` (the handlers and their table) and `ui` (the
//! dashboard's cards pages). Imports `http`, the dashboard's shell (`crate::ui`), the common
//! modules at the crate root, and `banking` (cards draw on accounts): no other domain, not the
//! router.

mod network;
pub(crate) mod routes;
pub(crate) mod ui;

pub use network::{authorize, reverse, settle};
