//! The dashboard's pages (the shell around them is `crate::ui`).

mod cards;
mod requests;

use axum::{
    routing::{get, post},
    Router,
};

use crate::AppState;

/// The dashboard's pages, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/_provisio/ui/requests", get(requests::page))
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
