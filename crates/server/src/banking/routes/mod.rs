//! The banking routes: monetary accounts, their payments, requests for money and bunq.me tabs
//! under `/v1`; money in from elsewhere, a stranger paying a tab and the ledger's check under
//! `/_provisio`. Each is registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod accounts;
pub mod batches;
pub mod bunqme;
pub mod notes;
pub mod payments;
pub mod requests;
pub mod schedules;

use provisio_wire::{
    accounts::MonetaryAccountRequest,
    batches::{DraftPaymentRequest, PaymentBatchRequest},
    bunqme::{BunqMeTabPayRequest, BunqMeTabRequest},
    feed::NoteTextRequest,
    money_requests::{RequestInquiryRequest, RequestStatusRequest},
    payments::{CreditRequest, PaymentRequest},
    schedules::SchedulePaymentRequest,
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
        .route("/user/{user_id}/monetary-account/{id}/request-inquiry", [
            post(requests::create, Op::new("Ask an IBAN or sugardaddy@bunq.com for money").signed_body::<RequestInquiryRequest>().answers(ID)),
            get(requests::list_inquiries, list("The account's requests for money", "RequestInquiry")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/request-inquiry/{request_inquiry_id}", [
            get(requests::get_inquiry, one("One request for money", "RequestInquiry")),
            put(requests::revoke, Op::new("Revoke a PENDING request").body::<RequestStatusRequest>().answers(&["RequestInquiry"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}/request-response", [
            get(requests::list_responses, list("The requests the account was sent", "RequestResponse")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/request-response/{request_response_id}", [
            get(requests::get_response, one("One request the account was sent", "RequestResponse")),
            put(requests::respond, Op::new("Accept (pay) or reject a PENDING request").body::<RequestStatusRequest>().answers(&["RequestResponse"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}/bunqme-tab", [
            post(bunqme::create, create::<BunqMeTabRequest>("Open a bunq.me tab")),
            get(bunqme::list, list("The account's bunq.me tabs", "BunqMeTab")),
        ])
        .route("/user/{user_id}/monetary-account/{id}/bunqme-tab/{bunqme_tab_id}", [
            get(bunqme::get, one("One bunq.me tab", "BunqMeTab")),
            put(bunqme::cancel, Op::new("Cancel a bunq.me tab").body::<BunqMeTabRequest>().answers(&["BunqMeTab"])),
        ])
        .merge(more_ways_to_pay())
}

/// Payment batches, draft payments and scheduled payments, beside the account's payments.
#[rustfmt::skip]
fn more_ways_to_pay() -> Api {
    let account = "/user/{user_id}/monetary-account/{id}";
    Api::new()
        .route(&format!("{account}/payment-batch"), [
            post(batches::create_batch, Op::new("Pay several payments at once, all or none").signed_body::<PaymentBatchRequest>().answers(ID)),
            get(batches::list_batches, list("The account's payment batches", "PaymentBatch")),
        ])
        .route(&format!("{account}/payment-batch/{{payment_batch_id}}"), [get(batches::get_batch, one("One payment batch", "PaymentBatch"))])
        .route(&format!("{account}/draft-payment"), [
            post(batches::create_draft, Op::new("Prepare payments for the account holder to accept").signed_body::<DraftPaymentRequest>().answers(ID)),
            get(batches::list_drafts, list("The account's draft payments", "DraftPayment")),
        ])
        .route(&format!("{account}/draft-payment/{{draft_payment_id}}"), [
            get(batches::get_draft, one("One draft payment", "DraftPayment")),
            put(batches::answer_draft, Op::new("Accept (pay) or reject a draft payment").signed_body::<DraftPaymentRequest>().answers(ID)),
        ])
        .route(&format!("{account}/schedule-payment"), [
            post(schedules::create, Op::new("Schedule a payment").signed_body::<SchedulePaymentRequest>().answers(ID)),
            get(schedules::list, list("The account's scheduled payments", "SchedulePayment")),
        ])
        .route(&format!("{account}/schedule-payment/{{schedule_payment_id}}"), [
            get(schedules::get, one("One scheduled payment", "SchedulePayment")),
            put(schedules::update, Op::new("Change a scheduled payment").signed_body::<SchedulePaymentRequest>().answers(ID)),
            delete(schedules::cancel, Op::new("Cancel a scheduled payment")),
        ])
        .route(&format!("{account}/schedule/{{schedule_id}}/schedule-instance"), [
            get(schedules::instances, list("A schedule's runs", "ScheduleInstance")),
        ])
        .route(&format!("{account}/schedule/{{schedule_id}}/schedule-instance/{{schedule_instance_id}}"), [
            get(schedules::instance, one("One run of a schedule", "ScheduleInstance")),
        ])
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
            "/bunqme-tabs/{id}/pay",
            [post(
                bunqme::pay,
                admin("Pay a bunq.me tab as a stranger, from an IBAN elsewhere or an account held here")
                    .body::<BunqMeTabPayRequest>()
                    .answers(&["BunqMeTab"]),
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
