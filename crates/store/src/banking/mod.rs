//! Banking: monetary accounts, payments on an exact ledger, and the ledger's totals.
//!
//! - `accounts`: the `MonetaryAccountStore`, the account as stored, opening an account.
//! - `ledger`: one side of a payment as stored, with its webhooks; the ledger's totals.
//! - `transfer`: a payment or a credit as one transaction.
//! - `payments`: the `PaymentStore`.
//! - `batches`: several payments from one account in one transaction (a payment batch).
//! - `drafts`: draft payments, paid as a batch when accepted; the `BatchStore`.
//! - `schedules`: scheduled payments, their timers and runs as stored.
//! - `schedule_runs`: a schedule's runs on the virtual clock; the `ScheduleStore`.
//!
//! Boundary: imports `webhooks` (the outbox) and the common modules. Exports `accounts` and
//! `ledger` to `context` (a new partner's main account) and `cards` (a card pays through
//! them).

pub(crate) mod accounts;
mod batches;
mod drafts;
pub(crate) mod ledger;
mod payments;
mod schedule_runs;
mod schedules;
mod transfer;
