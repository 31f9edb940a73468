//! The context a request runs in: the server's key, partners and their API keys,
//! installations, devices and sessions, and the grants that open a session.
//!
//! - `server_key`: the `ServerKeyStore`.
//! - `partners`: the `PartnerStore` (partners, their API keys, any user by id).
//! - `sandbox_users`: the `SandboxUserStore` (partners created as bunq sandbox users, with
//!   their EMAIL and PHONE_NUMBER pointers).
//! - `sessions`: the `ContextStore` (installations, devices, sessions, credential grants).
//! - `rows`: all of these as stored.
//!
//! Boundary: imports `provisioning` (a credential's first use touches its provision),
//! `banking` (a new partner opens its main account in the same transaction) and the common
//! modules. Nothing imports it.

mod partners;
mod rows;
mod sandbox_users;
mod server_key;
mod sessions;
