//! The operator's side: the sandbox controls (the shared virtual clock, the store's
//! readiness, wholesale removal) and the figures the metrics endpoint reports.
//!
//! Boundary: the top. Imports only the common modules (`crate::{connect, db_err, SqlStore,
//! Backend}`); it names tables of every domain in its SQL but calls none of their code, and no
//! other folder imports it.

mod controls;
mod figures;
mod removal;
