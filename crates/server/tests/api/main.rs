//! The HTTP surface, end to end: a real server on a random port, a real client doing real RSA,
//! every test on SQLite and on PostgreSQL.

mod helpers;
mod provisioning;

mod accounts;
mod bunq_clients;
mod bunq_fields;
mod card_limits;
mod card_secrets;
mod card_transactions;
mod cards;
mod closed;
mod closed_cards;
mod closed_routes;
mod compliance;
mod credentials;
mod dashboard;
mod dashboard_sessions;
mod debugger;
mod encryption;
mod errors;
mod faults;
mod handshake;
mod health;
mod input;
mod ip;
mod ledger;
mod metrics;
mod oauth;
mod onboarding;
mod openapi;
mod openapi_schema;
mod payments;
mod provisions;
mod rate_limits;
mod raw;
mod requests;
mod restart;
mod robustness;
mod sandbox_clock;
mod scenarios;
mod sessions;
mod signing;
mod tenants;
mod verification;
mod webhooks;
