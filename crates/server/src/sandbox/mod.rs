//! The sandbox: what bunq's hosted sandbox lacks, for the operator of a provisio: partners made
//! and removed over HTTP, a reset, a virtual clock, scenarios that put a provision in a named
//! state at once, a seed file, the request log, metrics and the health probes.
//!
//! Holds the services (`scenarios`, `seed`), `routes` (the handlers and their table) and `ui`
//! (the dashboard's request log). The virtual clock itself (`crate::sandbox_clock`) is a common
//! module at the crate root: the worker, the dispatcher and the state read it. The top domain:
//! it may import every other domain (scenarios run provisions and credit accounts), `http`, the
//! dashboard's shell and the common modules; only the router imports it.

pub(crate) mod routes;
pub mod scenarios;
pub mod seed;
pub(crate) mod ui;
