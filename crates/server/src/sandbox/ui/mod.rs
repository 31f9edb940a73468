//! The sandbox's dashboard pages: the request log, the search across everything, the sandbox
//! controls (the clock, a new partner, a scenario, money in), the users list (`users`) and a
//! user's page gathering what every domain holds of it (`user_page/`, both live), lists of
//! every account, card and payment (`lists`) and card transaction (`card_transactions`)
//! across users, and the dashboard's own 404.
//!
//! The top domain's `ui`: it may read every domain's store traits and call their services (as
//! the operator API does), so the pages that cross domains live here.

mod card_transactions;
mod controls;
mod lists;
mod not_found;
mod requests;
mod search;
mod user_page;
mod users;

use axum::{
    routing::{get, post},
    Router,
};

use crate::AppState;

/// The sandbox's pages, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_provisio/ui/requests", get(requests::page))
        .route("/_provisio/ui/search", get(search::page))
        .route("/_provisio/ui/sandbox", get(controls::page))
        .route("/_provisio/ui/clock/advance", post(controls::advance))
        .route(
            "/_provisio/ui/sandbox/partners",
            post(controls::create_partner),
        )
        .route(
            "/_provisio/ui/sandbox/scenarios",
            post(controls::run_scenario),
        )
        .route("/_provisio/ui/sandbox/credit", post(controls::credit))
        .route("/_provisio/ui/users", get(users::list))
        .route("/_provisio/ui/users/{id}", get(user_page::page))
        .route(
            "/_provisio/ui/users/{user}/grants/{id}/revoke",
            post(user_page::revoke),
        )
        .route("/_provisio/ui/version", get(users::version))
        .route("/_provisio/ui/lists/accounts", get(lists::accounts))
        .route("/_provisio/ui/lists/cards", get(lists::cards))
        .route("/_provisio/ui/lists/payments", get(lists::payments))
        .route(card_transactions::PATH, get(card_transactions::list))
        .route("/_provisio/ui/{*rest}", get(not_found::page))
}
