//! The health probes under `/_provisio/`: they carry no data, so they need no token and exist
//! in every profile.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use provisio_wire::operator::HealthStatus;

use crate::{http::error::ApiError, AppState};

/// `GET /_provisio/health`: the process answers. It reads nothing, the database least of all:
/// a process whose database is away is alive (see `ready`).
pub async fn health() -> Response {
    axum::Json(HealthStatus::ok()).into_response()
}

/// `GET /_provisio/ready`: within `ready_timeout`, the store's schema is this build's and a
/// small write commits (a store that reads but cannot write is not ready).
pub async fn ready(State(state): State<AppState>) -> Response {
    let answer = tokio::time::timeout(state.config.ready_timeout, state.store.ready()).await;
    let cause = match answer {
        Ok(Ok(())) => return axum::Json(HealthStatus::ok()).into_response(),
        Ok(Err(err)) => format!("{err:?}"),
        Err(_) => format!(
            "the database did not answer within {:?}",
            state.config.ready_timeout
        ),
    };
    tracing::warn!(error = %cause, "not ready");
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Not ready: the database is unreachable, does not take writes, or its migrations are \
         not applied.",
    )
    .into_response()
}
