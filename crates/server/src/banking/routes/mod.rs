//! The banking routes: monetary accounts and their payments under `/v1`; money in from
//! elsewhere and the ledger's check under `/_provisio`. Each is registered with its description
//! (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod accounts;
pub mod notes;
pub mod payments;

use provisio_wire::{
    accounts::MonetaryAccountRequest,
    feed::NoteTextRequest,
    payments::{CreditRequest, PaymentRequest},
};

use crate::http::openapi::{admin, create, delete, get, list, one, post, put, Api, Op, ID};

/// bunq's account and payment routes, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    Api::new()
        .route("/user/{user_id}/monetary-account-bank", [
            post(accounts::create_bank, create::<MonetaryAccountRequest>("Open a bank account")),
            get(accounts::list_bank, list("The user's bank accounts", "MonetaryAccountBank")),
        ])
        .route("/user/{user_id}/monetary-account-bank/{id}", [
            get(accounts::get_bank, one("One bank account", "MonetaryAccountBank")),
            put(accounts::update_bank, create::<MonetaryAccountRequest>("Change a bank account")),
        ])
        .route("/user/{user_id}/monetary-account-external", [
            post(accounts::create_external, create::<MonetaryAccountRequest>("Open an external account")),
            get(accounts::list_external, list("The user's external accounts", "MonetaryAccountExternal")),
        ])
        .route("/user/{user_id}/monetary-account-external/{id}", [
            get(accounts::get_external, one("One external account", "MonetaryAccountExternal")),
            put(accounts::update_external, create::<MonetaryAccountRequest>("Change an external account")),
        ])
        .route("/user/{user_id}/monetary-account", [
            get(accounts::list_all, Op::new("The user's accounts of every kind").paged()
                .answers(&["MonetaryAccountBank", "MonetaryAccountExternal"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}", [
            get(accounts::get_any, Op::new("One account of any kind").answers(&["MonetaryAccountBank", "MonetaryAccountExternal"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}/payment", [
            post(payments::create, Op::new("Pay from the account").signed_body::<PaymentRequest>().answers(ID)),
            get(payments::list, list("The account's payments", "Payment")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/payment/{payment_id}", [get(payments::get, one("One payment", "Payment"))])
        .route("/user/{user_id}/monetary-account/{id}/payment/{payment_id}/note-text", [
            post(notes::create, create::<NoteTextRequest>("Add a note to the payment")),
            get(notes::list, list("The payment's notes", "NoteTextPayment")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/payment/{payment_id}/note-text/{note_text_id}", [
            get(notes::get, one("One note of the payment", "NoteTextPayment")),
            put(notes::update, create::<NoteTextRequest>("Change a note")),
            delete(notes::delete, Op::new("Remove a note")),
        ])
}

/// Money in and the ledger, to merge into `/_provisio`.
pub fn operator() -> Api {
    Api::new()
        .route(
            "/monetary-accounts/{id}/credit",
            [post(
                payments::credit,
                admin("Credit an account from an IBAN elsewhere")
                    .body::<CreditRequest>()
                    .answers(&["Payment"]),
            )],
        )
        .route(
            "/ledger",
            [get(
                payments::ledger,
                admin("The ledger's totals and invariants").answers(&["LedgerCheck"]),
            )],
        )
}
