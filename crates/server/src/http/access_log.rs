//! One log line per request: method, route template, status, latency and request id.
//!
//! The route is the template (`/v1/user/{user_id}/address-main`), never the path with its ids,
//! and nothing else of the request is logged: no headers (the auth token travels in one), no
//! query, no body.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request},
    http::HeaderMap,
    middleware::Next,
    response::Response,
};
use provisio_wire::headers;

/// Logs the request after its response is complete (signed, with its response id).
pub async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    // Routers are flattened, so this is the whole template, `/v1` included.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let client_id = header(request.headers(), headers::CLIENT_REQUEST_ID);
    let response = next.run(request).await;
    let request_id = client_id
        .or_else(|| header(response.headers(), headers::CLIENT_RESPONSE_ID))
        .unwrap_or_default();
    tracing::info!(
        target: "provisio::access",
        %method,
        route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id,
        "request"
    );
    response
}

/// A header as text, cut short: it is the client's to choose.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(value.chars().take(128).collect())
}
