//! The health probes under `/_provisio/`: they carry no data, so they need no token and exist
//! in every profile.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use provisio_wire::operator::HealthStatus;

use crate::{http::error::ApiError, AppState};

/// `GET /_provisio/health`: the process answers.
pub async fn health() -> Response {
    axum::Json(HealthStatus::ok()).into_response()
}

/// `GET /_provisio/ready`: the store answers and its schema is this build's.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ready().await {
        Ok(()) => axum::Json(HealthStatus::ok()).into_response(),
        Err(err) => {
            tracing::warn!(error = ?err, "not ready");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not ready: the database is unreachable or its migrations are not applied.",
            )
            .into_response()
        }
    }
}
