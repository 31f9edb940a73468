//! The HTTP surface, end to end: a real server on a random port, a real client doing real RSA,
//! every test on SQLite and on PostgreSQL.

mod helpers;
mod provisioning;

mod accounts;
mod closed;
mod compliance;
mod credentials;
mod errors;
mod handshake;
mod input;
mod ip;
mod oauth;
mod onboarding;
mod payments;
mod provisions;
mod raw;
mod restart;
mod robustness;
mod sessions;
mod signing;
mod verification;
mod webhooks;
