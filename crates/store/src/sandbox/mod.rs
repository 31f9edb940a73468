//! The operator's side: the sandbox controls (the shared virtual clock, the store's
//! readiness, wholesale removal) and the figures the metrics endpoint reports.
//!
//! - `controls`: the `SandboxStore`; `removal`: deleting a partner or everything;
//!   `dashboard_sessions`: the dashboard's signed-in operators.
//! - `figures`: the `FiguresStore`; `search`: the `SearchStore` (the dashboard's search and
//!   lists), with `lists` holding the reads it delegates to (card transactions across users,
//!   a user's webhook deliveries).
//!
//! Boundary: the top. Imports only the common modules (`connect` for the migrations,
//! `db_err`, the writer). Its SQL names the tables of every domain, but it calls none of their
//! code, and nothing imports it.

mod controls;
mod dashboard_sessions;
mod figures;
mod lists;
mod removal;
mod search;
