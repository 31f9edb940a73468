//! The card routes: cards, their PAN and CVC2s, card transactions and 3DS challenges under
//! `/v1`; the operator's card network (a merchant's authorisation, reverse, settle) under
//! `/_provisio`. Each is registered with its description (see `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.
//! The handlers import `http`, their domain's services and lower domains, never a `ui` module.

pub mod cards;
pub mod transactions;

use provisio_wire::cards::{AuthorizeRequest, CardRequest, ChallengeAnswerRequest, Cvc2Request};

use crate::http::openapi::{admin, get, post, put, Api, Op};

/// bunq's card routes with their descriptions, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    const CARD: &[&str] = &["CardDebit", "CardCredit"];
    const CVC2: &[&str] = &["CardGeneratedCvc2"];
    Api::new()
        .route("/user/{user_id}/card-debit", [
            post(cards::create_debit, Op::new("Order a debit card").body::<CardRequest>().answers(&["CardDebit"])),
        ])
        .route("/user/{user_id}/card-credit", [
            post(cards::create_credit, Op::new("Order a credit card").body::<CardRequest>().answers(&["CardCredit"])),
        ])
        .route("/user/{user_id}/card", [get(cards::list, Op::new("The user's cards").paged().answers(CARD))])
        .route("/user/{user_id}/card-name", [get(cards::names, Op::new("The names the user's cards may carry").answers(&["CardUserNameArray"]))])
        .route("/user/{user_id}/card/{card_id}", [
            get(cards::get_card, Op::new("One card").answers(CARD)),
            put(cards::update, Op::new("Change a card's status, limits, PIN or fallback account").body::<CardRequest>().answers(CARD)),
        ])
        .route("/user/{user_id}/card/{card_id}/primary-account-number", [
            post(cards::reveal_pan, Op::new("Reveal the card's PAN (strict: encrypted requests only)").answers(&["CardPrimaryAccountNumber"])),
        ])
        .route("/user/{user_id}/card/{card_id}/generated-cvc2", [
            post(cards::create_cvc2, Op::new("Generate a CVC2 (strict: encrypted requests only)").body::<Cvc2Request>().answers(CVC2)),
            get(cards::list_cvc2, Op::new("The card's CVC2s (strict: encrypted requests only)").paged().answers(CVC2)),
        ])
        .route("/user/{user_id}/card/{card_id}/generated-cvc2/{id}", [
            get(cards::get_cvc2, Op::new("One CVC2 (strict: encrypted requests only)").answers(CVC2)),
            put(cards::update_cvc2, Op::new("Change a CVC2's type (strict: encrypted requests only)").body::<Cvc2Request>().answers(CVC2)),
        ])
        .route("/user/{user_id}/monetary-account/{id}/mastercard-action", [
            get(transactions::list_actions, Op::new("The account's card transactions").paged().answers(&["MasterCardAction"])),
        ])
        .route("/user/{user_id}/monetary-account/{id}/mastercard-action/{action_id}", [
            get(transactions::get_action, Op::new("One card transaction").answers(&["MasterCardAction"])),
        ])
        .route("/user/{user_id}/challenge-request", [
            get(transactions::list_challenges, Op::new("The user's 3DS challenges").paged()
                .query("status", "Comma-separated statuses to keep (PENDING, ACCEPTED, REJECTED, EXPIRED)")
                .answers(&["MasterCardIdentityCheckChallengeRequest"])),
        ])
        .route("/user/{user_id}/challenge-request/{id}", [
            get(transactions::get_challenge, Op::new("One 3DS challenge").answers(&["MasterCardIdentityCheckChallengeRequest"])),
            put(transactions::answer_challenge, Op::new("Accept or reject a 3DS challenge").body::<ChallengeAnswerRequest>().answers(&["Id"])),
        ])
}

/// The operator's card network with its descriptions, to merge into `/_provisio`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn operator() -> Api {
    Api::new()
        .route("/cards/{id}/authorize", [post(transactions::authorize, admin("A merchant's authorization on a card: the MasterCardAction, or the 3DS challenge")
            .body::<AuthorizeRequest>().answers(&["MasterCardAction", "MasterCardIdentityCheckChallengeRequest"]))])
        .route("/mastercard-actions/{id}/reverse", [post(transactions::reverse, admin("Reverse an authorized card transaction").answers(&["MasterCardAction"]))])
        .route("/mastercard-actions/{id}/settle", [post(transactions::settle, admin("Settle an authorized card transaction").answers(&["MasterCardAction"]))])
}
