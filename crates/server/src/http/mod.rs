//! The router: the routes of `table` (bunq's under `/v1`, the operator's under `/_provisio`),
//! and the layers every response passes through.

mod access_log;
mod body;
pub mod encryption;
mod error;
mod explain;
mod extract;
mod limits;
pub mod openapi;
mod pagination;
mod read;
mod respond;
mod routes;
mod scope;
mod sign_layer;
mod table;
mod ui;

use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;

pub use error::ApiError;

use crate::AppState;

pub fn router(state: AppState) -> Router {
    let v1_state = state.clone();
    let (api, _) = table::api(move |v1| {
        v1.route_layer(middleware::from_fn_with_state(
            v1_state.clone(),
            sign_layer::rate_limit,
        ))
        // Inside the response signer, which then signs the ciphertext sent (A.10/A.11).
        .layer(middleware::from_fn_with_state(
            v1_state,
            encryption::decrypt_and_seal,
        ))
    })
    .into_parts();
    api.merge(ui::router())
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
