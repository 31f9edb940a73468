//! The context a request runs in: the server's key, partners and their API keys,
//! installations, devices and sessions, and the grants that open a session.
//!
//! Boundary: imports the common modules, `provisioning` (a credential's first use touches its
//! provision) and `banking` (a new partner opens its main account in the same transaction).
//! No other folder imports it.

mod partners;
mod rows;
mod server_key;
mod sessions;
