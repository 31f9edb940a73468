//! The router: bunq's routes under `/v1`, and the layers every response passes through.

mod error;
mod extract;
mod pagination;
mod render;
mod respond;
mod routes;
mod sign_layer;

use axum::{
    middleware,
    routing::{delete, get, post},
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
        .route("/session/{id}", delete(routes::session::delete));

    Router::new()
        .nest("/v1", v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
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
