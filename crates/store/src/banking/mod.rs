//! Banking: monetary accounts, payments on an exact ledger, and the ledger's totals.
//!
//! - `accounts`: the `MonetaryAccountStore`, the account as stored, opening an account.
//! - `ledger`: one side of a payment as stored, with its webhooks; the ledger's totals.
//! - `transfer`: a payment or a credit as one transaction (on PostgreSQL, its moves chained
//!   into one statement); `payee`: whom a payment's pointer names, checked.
//! - `payments`: the `PaymentStore`.
//! - `pointers`: what an IBAN, email address or phone number names here (resolved inside the
//!   caller's transaction), and the well-known users (sugardaddy@bunq.com, bravo@bunq.com).
//! - `request_rows`, `requests`: requests for money (`RequestInquiry`/`RequestResponse`) as
//!   stored, and the `RequestStore`: made, answered (an internal payment through `transfer`)
//!   or revoked, each in one write with its webhooks; Sugar Daddy's test money.
//! - `bunqme_tabs`: the `BunqMeTabStore`: bunq.me tabs and the strangers' payments into them.
//! - `batches`: several payments from one account in one transaction (a payment batch).
//! - `drafts`: draft payments, paid as a batch when accepted; the `BatchStore`.
//! - `schedules`: scheduled payments, their timers and runs as stored.
//! - `schedule_runs`: a schedule's runs on the virtual clock; the `ScheduleStore`.
//! - `notes`: the `PaymentNoteStore` (notes on a payment).
//!
//! Boundary: imports `webhooks` (the outbox) and the common modules. Exports `accounts` and
//! `ledger` to `context` (a new partner's main account) and `cards` (a card pays through
//! them).

pub(crate) mod accounts;
mod batches;
mod bunqme_tabs;
mod drafts;
pub(crate) mod ledger;
mod notes;
mod payee;
mod payments;
pub(crate) mod pointers;
mod request_rows;
mod requests;
mod schedule_runs;
mod schedules;
mod transfer;
