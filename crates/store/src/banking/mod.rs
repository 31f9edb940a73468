//! Banking: monetary accounts, payments on an exact ledger, and the ledger's totals.

pub(crate) mod accounts;
pub(crate) mod ledger;
mod payments;
mod transfer;
