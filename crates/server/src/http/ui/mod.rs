//! The dashboard's pages (the shell around them is `crate::ui`).

mod requests;

use axum::{routing::get, Router};

use crate::AppState;

/// The dashboard's pages, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new().route("/_provisio/ui/requests", get(requests::page))
}
