//! The feed's routes under `/v1`, each registered with its description (see
//! `http::openapi`).
//!
//! The table imports only its handlers and `http::openapi`; only the router imports the table.

pub mod events;

use crate::http::openapi::{get, list, one, Api};

/// bunq's event routes, to merge into `/v1`.
// A table, one route to a line or a few: easier to scan than rustfmt's layout of it.
#[rustfmt::skip]
pub fn v1() -> Api {
    Api::new()
        .route("/user/{user_id}/event", [
            get(events::list, list("The user's events, newest first", "Event")
                .query("monetary_account_id", "Only events of these accounts (ids separated by commas)")
                .query("status", "Only events of this status: FINALIZED or AWAITING_REPLY")
                .query("display_user_event", "Only events shown to the user (true) or not (false)")),
        ])
        .route("/user/{user_id}/event/{id}", [get(events::get, one("One event", "Event"))])
}
