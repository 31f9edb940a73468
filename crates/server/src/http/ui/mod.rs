//! The dashboard at `/_provisio/ui/`: server-rendered pages over the same store and the same
//! operator handlers as the JSON operator API, for partners who would rather look than read
//! JSON. It exists wherever the operator API exists (never in a strict production
//! deployment) and is entered with the admin token (see `session`).
//!
//! Every operator button is a POST form that calls the JSON operator API's own handler
//! (`actions`), so a button and a `curl` are the same transition with the same refusal; the
//! card payment form calls the card network the operator API and `provisio card` call.

mod accounts;
mod actions;
mod assets;
mod cards;
mod deliveries;
mod layout;
mod partners;
mod provision;
mod requests;
mod session;
mod timeline;

use axum::{
    response::Redirect,
    routing::{get, post},
    Router,
};

use crate::AppState;

/// Every dashboard route, merged into the router by `http::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_provisio/ui",
            get(|| async { Redirect::to("/_provisio/ui/") }),
        )
        .route("/_provisio/ui/", get(partners::index))
        .route(
            "/_provisio/ui/login",
            get(session::login_form).post(session::login),
        )
        .route("/_provisio/ui/logout", post(session::logout))
        .route("/_provisio/ui/assets/style.css", get(assets::style))
        .route("/_provisio/ui/assets/live.js", get(assets::script))
        .route("/_provisio/ui/partners/{id}", get(partners::provisions))
        .route("/_provisio/ui/provisions/{id}", get(provision::page))
        .route(
            "/_provisio/ui/provisions/{id}/{action}",
            post(actions::provision),
        )
        .route(
            "/_provisio/ui/identity-verifications/{id}/decide",
            post(actions::decide_identity),
        )
        .route(
            "/_provisio/ui/users/{id}/inquiries",
            post(actions::raise_inquiry),
        )
        .route(
            "/_provisio/ui/inquiry-entries/{id}/review",
            post(actions::review_entry),
        )
        .route(
            "/_provisio/ui/inquiries/{id}/finalize",
            post(actions::finalize_inquiry),
        )
        .route("/_provisio/ui/deliveries", get(deliveries::page))
        .route("/_provisio/ui/deliveries/version", get(deliveries::version))
        .route(
            "/_provisio/ui/deliveries/{id}/resend",
            post(actions::resend),
        )
        .route("/_provisio/ui/requests", get(requests::page))
        .route("/_provisio/ui/accounts", get(accounts::page))
        .route(
            "/_provisio/ui/users/{user}/accounts/{account}",
            get(accounts::payments),
        )
        .route("/_provisio/ui/cards", get(cards::page))
        .route("/_provisio/ui/cards/authorize", post(cards::authorize))
        .route(
            "/_provisio/ui/users/{user}/accounts/{account}/card-transactions",
            get(cards::transactions),
        )
        .route(
            "/_provisio/ui/mastercard-actions/{id}/{action}",
            post(cards::settle_or_reverse),
        )
}
