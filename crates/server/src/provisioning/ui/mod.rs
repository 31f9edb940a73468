//! The dashboard's provisioning pages: the partners (its home page), a partner's provisions,
//! and one provision with its timeline and the operator's buttons; and the OAuth consent
//! page at `/auth` (issue 19).
//!
//! Imports the dashboard's shell (`crate::ui`), `http`, this domain's routes and services, and
//! `webhooks` (the timeline shows a provision's deliveries with the deliveries page's card);
//! never the router.

mod consent;
mod partners;
mod provision;
pub(crate) mod timeline;

use axum::{
    routing::{get, post},
    Router,
};

use crate::AppState;

/// The provisioning pages, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        // bunq's consent page (`oauth.sandbox.bunq.com/auth`), on the same listener as `/v1`.
        .route("/auth", get(consent::form).post(consent::decide))
        .route("/_provisio/ui/", get(partners::index))
        .route("/_provisio/ui/partners/{id}", get(partners::provisions))
        .route("/_provisio/ui/provisions/{id}", get(provision::page))
        .route(
            "/_provisio/ui/provisions/{id}/{action}",
            post(provision::act),
        )
}
