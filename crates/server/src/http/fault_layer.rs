//! The faults the operator armed (see `faults`), applied to `/v1` calls inside the response
//! signer, so a failed call is signed and logged like any other answer.
//!
//! With no fault armed a call pays one atomic load here (and one as it enters its connection's
//! service, see `connections`). `provisio-bench --scenario context`, five rounds alternating
//! with the build before (which also added the request log's bodies), found no difference
//! beyond the run-to-run noise of a shared two-core machine.

use axum::{
    extract::{OriginalUri, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::error::ApiError;
use crate::{
    connections::Hangup,
    faults::{Answer, Struck},
    AppState,
};

pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.faults.any_armed() {
        return next.run(request).await;
    }
    // The `/v1` routes are nested: their own URI has lost the prefix the fault names.
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |original| original.path());
    let Some(Struck { latency, answer }) = state.faults.strike(request.method(), path) else {
        return next.run(request).await;
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match answer {
        Answer::Proceed => next.run(request).await,
        Answer::Fail { status, error } => ApiError::new(status, error).into_response(),
        Answer::Drop => {
            // The connection's task closes the socket and drops this future with it; the
            // client gets no answer at all, as when a network path dies mid-call.
            if let Some(hangup) = request.extensions().get::<Hangup>() {
                hangup.now();
                std::future::pending::<()>().await;
            }
            // Only a call that came in as the fault was being armed lacks the handle (it was
            // let through the cheap path); it still must not get a normal answer.
            ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "A fault injected by provisio's operator (the connection could not be dropped).",
            )
            .into_response()
        }
    }
}
