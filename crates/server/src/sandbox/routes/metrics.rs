//! `GET /_provisio/metrics`: Prometheus' text format (see `crate::metrics`).

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::{
    http::{error::ApiError, extract::Admin},
    AppState,
};

pub async fn scrape(State(state): State<AppState>, _: Admin) -> Result<Response, ApiError> {
    let figures = state.store.figures().await?;
    let text = state
        .metrics
        .render(&figures, state.clock.now())
        .map_err(ApiError::internal)?;
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(response)
}
