//! The context a client of bunq's API sets up before anything else (spec A): its
//! installation (its public key, and the server's in return), its device (the API key, with
//! the addresses it may be used from) and its sessions; and the partners whose API keys open
//! it.
//!
//! Holds the partners service (`partners`: a partner and its API key, shared by the CLI, the
//! operator API, the seed file and the first-start demo partner), the sandbox users service
//! (`sandbox_users`: bunq's `sandbox-user-person`/`-company`, a partner that is also a bunq
//! user) and `routes` (the handlers and
//! their table). Imports `http` and the common modules at the crate root only: no other domain,
//! no dashboard page, not the router.

pub mod partners;
pub(crate) mod routes;
pub mod sandbox_users;
