//! The dashboard at `/_provisio/ui/`: server-rendered pages over the same store and the same
//! operator handlers as the JSON operator API, for partners who would rather look than read
//! JSON. It exists wherever the operator API exists (never in a strict production
//! deployment) and is entered with the admin token (see `login` and `session`).
//!
//! This is its shell, shared by every page: the layout and navigation (`layout`), the session
//! and the guards every page and form uses (`session`), logging in and out (`login`), the one
//! stylesheet and script (`assets`), and what the buttons share (`actions`). The pages live
//! with their domain, each in a module named `ui` (`cards/ui.rs`, `provisioning/ui/`, …), and
//! `router::router` merges them with [`router`].
//!
//! Every operator button is a POST form that calls the JSON operator API's own handler, so a
//! button and a `curl` are the same transition with the same refusal; the card payment form
//! calls the card network the operator API and `provisio card` call.
//!
//! Below the pages: imports `http` and the common modules at the crate root only, never a
//! domain or the router.

pub mod actions;
mod assets;
pub mod layout;
mod login;
pub mod session;

use axum::{
    response::Redirect,
    routing::{get, post},
    Router,
};

use crate::AppState;

/// The shell's own routes: the way in and out, and the assets every page loads.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_provisio/ui",
            get(|| async { Redirect::to("/_provisio/ui/") }),
        )
        .route(
            "/_provisio/ui/login",
            get(login::login_form).post(login::login),
        )
        .route("/_provisio/ui/logout", post(login::logout))
        .route("/_provisio/ui/assets/style.css", get(assets::style))
        .route("/_provisio/ui/assets/live.js", get(assets::script))
}
