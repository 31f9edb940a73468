//! The router: bunq's routes under `/v1`, and the layers every response passes through.

mod access_log;
mod body;
pub mod encryption;
mod error;
mod explain;
mod extract;
mod limits;
mod pagination;
mod respond;
mod routes;
mod scope;
mod sign_layer;

use axum::{
    middleware,
    routing::{delete, get, post, put},
    Router,
};
use tower_http::catch_panic::CatchPanicLayer;

pub use error::ApiError;

use crate::AppState;

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route(
            "/installation",
            post(routes::installation::create).get(routes::installation::current),
        )
        .route("/installation/{id}", get(routes::installation::get))
        .route(
            "/installation/{id}/server-public-key",
            get(routes::installation::server_key),
        )
        .route(
            "/device-server",
            post(routes::device::create).get(routes::device::list),
        )
        .route("/device-server/{id}", get(routes::device::get))
        .route("/session-server", post(routes::session::create))
        .route("/session/{id}", delete(routes::session::delete))
        .route(
            "/partner-user-provision",
            post(routes::provision::create).get(routes::provision::list),
        )
        .route(
            "/partner-user-provision/{id}",
            get(routes::provision::get).put(routes::provision::update),
        )
        .route("/user/{user_id}", get(routes::user::get))
        .route(
            "/user/{user_id}/user-onboarding",
            post(routes::onboarding::create).get(routes::onboarding::list),
        )
        .route(
            "/user/{user_id}/user-onboarding/{id}",
            get(routes::onboarding::get).put(routes::onboarding::update),
        )
        .route(
            "/user/{user_id}/address-main",
            post(routes::onboarding::address_main),
        )
        .route(
            "/user/{user_id}/address-postal",
            post(routes::onboarding::address_postal),
        )
        .route(
            "/user/{user_id}/tax-resident",
            post(routes::onboarding::tax_resident),
        )
        .route(
            "/user/{user_id}/nationality",
            post(routes::onboarding::nationality),
        )
        .route(
            "/user-person/{user_id}",
            put(routes::onboarding::user_person),
        )
        .route(
            "/user/{user_id}/identity-verification-session",
            post(routes::verification::create_session).get(routes::verification::list_sessions),
        )
        .route(
            "/user/{user_id}/identity-verification-session/{id}",
            get(routes::verification::get_session).put(routes::verification::submit_session),
        )
        .route(
            "/user/{user_id}/attachment",
            post(routes::verification::upload),
        )
        .route(
            "/user/{user_id}/attachment/{id}",
            get(routes::verification::get_attachment),
        )
        .route(
            "/user/{user_id}/attachment/{id}/content",
            get(routes::verification::attachment_content),
        )
        .route(
            "/user/{user_id}/document-identification",
            post(routes::verification::create_document),
        )
        .route(
            "/user/{user_id}/user-information-inquiry",
            get(routes::inquiry::list),
        )
        .route(
            "/user/{user_id}/user-information-inquiry/{id}",
            get(routes::inquiry::get),
        )
        .route(
            "/user/{user_id}/user-information-inquiry/{inquiry_id}/partner-user-information-inquiry-entry/{id}",
            put(routes::inquiry::answer),
        )
        .route(
            "/user/{user_id}/monetary-account-bank",
            post(routes::accounts::create_bank).get(routes::accounts::list_bank),
        )
        .route(
            "/user/{user_id}/monetary-account-bank/{id}",
            get(routes::accounts::get_bank).put(routes::accounts::update_bank),
        )
        .route(
            "/user/{user_id}/monetary-account-external",
            post(routes::accounts::create_external).get(routes::accounts::list_external),
        )
        .route(
            "/user/{user_id}/monetary-account-external/{id}",
            get(routes::accounts::get_external).put(routes::accounts::update_external),
        )
        .route(
            "/user/{user_id}/monetary-account",
            get(routes::accounts::list_all),
        )
        .route(
            "/user/{user_id}/monetary-account/{id}",
            get(routes::accounts::get_any),
        )
        .route(
            "/user/{user_id}/monetary-account/{id}/payment",
            post(routes::payments::create).get(routes::payments::list),
        )
        .route(
            "/user/{user_id}/monetary-account/{id}/payment/{payment_id}",
            get(routes::payments::get),
        )
        .route(
            "/user/{user_id}/notification-filter-url",
            post(routes::webhook::set).get(routes::webhook::list),
        )
        .route(
            "/user/{user_id}/notification-filter-failure",
            get(routes::webhook::failures).post(routes::webhook::retry),
        )
        .merge(routes::cards::v1());
    // OAuth clients live under the partner's company and, as in bunq's swagger, at the top.
    let oauth = Router::new()
        .route(
            "/oauth-client",
            post(routes::oauth::create).get(routes::oauth::list),
        )
        .route(
            "/oauth-client/{oauth_client_id}",
            get(routes::oauth::get).put(routes::oauth::update),
        )
        .route(
            "/oauth-client/{oauth_client_id}/callback-url",
            post(routes::oauth::add_url).get(routes::oauth::list_urls),
        )
        .route(
            "/oauth-client/{oauth_client_id}/callback-url/{callback_url_id}",
            get(routes::oauth::get_url)
                .put(routes::oauth::update_url)
                .delete(routes::oauth::delete_url),
        );
    let v1 = v1
        .merge(oauth.clone())
        .nest("/user/{user_id}", oauth)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            sign_layer::rate_limit,
        ));
    let admin = Router::new()
        .route("/provisions/{id}/approve", post(routes::admin::approve))
        .route("/provisions/{id}/deny", post(routes::admin::deny))
        .route("/provisions/{id}/fail", post(routes::admin::fail))
        .route(
            "/provisions/{id}/expire-credential",
            post(routes::admin::expire_credential),
        )
        .route("/provisions/{id}/history", get(routes::admin::history))
        .route("/users/{id}/inquiries", post(routes::admin::raise_inquiry))
        .route(
            "/inquiries/{id}/finalize",
            post(routes::admin::finalize_inquiry),
        )
        .route(
            "/inquiry-entries/{id}/review",
            post(routes::admin::review_entry),
        )
        .route(
            "/identity-verifications/{id}/decide",
            post(routes::admin::decide_identity),
        )
        .route(
            "/monetary-accounts/{id}/credit",
            post(routes::payments::credit),
        )
        .route("/ledger", get(routes::payments::ledger))
        .route("/deliveries", get(routes::admin::deliveries))
        .route("/requests", get(routes::requests::recent))
        .route("/metrics", get(routes::metrics::scrape))
        .route("/scenarios", get(routes::scenarios::list))
        .route("/scenarios/{name}", post(routes::scenarios::run))
        .route("/deliveries/{id}/resend", post(routes::admin::resend))
        .merge(routes::sandbox::router())
        .merge(routes::card_transactions::operator());

    Router::new()
        .nest("/v1", v1)
        .nest("/_provisio", admin)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(limits::refuse_oversized))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            routes::sandbox::refresh_clock,
        ))
        // A panic is a bug, but the client still gets the envelope (and a signature).
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "An internal error occurred. Please try again later.",
            )
            .into_response_for_panic()
        }))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            sign_layer::sign_responses,
        ))
        // Outside the signing, so the line has the response id and the whole latency.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            access_log::log_request,
        ))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("The requested route does not exist.")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "This method is not allowed on this route.",
    )
}
