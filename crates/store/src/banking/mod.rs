//! Banking: monetary accounts, payments on an exact ledger, and the ledger's totals.
//!
//! - `accounts`: the `MonetaryAccountStore`, the account as stored, opening an account.
//! - `ledger`: one side of a payment as stored, with its webhooks; the ledger's totals.
//! - `transfer`: a payment or a credit as one transaction.
//! - `payments`: the `PaymentStore`.
//! - `notes`: the `PaymentNoteStore` (notes on a payment).
//!
//! Boundary: imports `webhooks` (the outbox) and the common modules. Exports `accounts` and
//! `ledger` to `context` (a new partner's main account) and `cards` (a card pays through
//! them).

pub(crate) mod accounts;
pub(crate) mod ledger;
mod notes;
mod payments;
mod transfer;
