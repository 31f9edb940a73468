//! One log line per request: method, route template, status, latency and request id; and the
//! same request, with who made it and why it was refused, in the process's request log
//! (`/_provisio/requests`).
//!
//! The log line has the route template (`/v1/user/{user_id}/address-main`), never the path
//! with its ids, and nothing else of the request: no headers (the auth token travels in one),
//! no query, no body. The request log keeps the path (ids only) but no query either, and the
//! bodies, which it masks when read (see `request_log`).

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderName},
    middleware::Next,
    response::Response,
};
use provisio_wire::operator::RequestRecord;

use super::names;
use crate::{
    request_log::{Notes, Refusal},
    AppState,
};

/// Logs the request after its response is complete (signed, with its response id).
pub async fn log_request(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let at = state.clock.now();
    let method = request.method().clone();
    // Routers are flattened, so this is the whole template, `/v1` included.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let path = clip(request.uri().path(), 256);
    let client_id = header(request.headers(), &names::CLIENT_REQUEST_ID);
    let notes = Notes::default();
    request.extensions_mut().insert(notes.clone());
    let response = next.run(request).await;
    let latency = started.elapsed();
    let request_id = client_id
        .or_else(|| header(response.headers(), &names::CLIENT_RESPONSE_ID))
        .unwrap_or_default();
    state
        .metrics
        .request(method.as_str(), &route, response.status(), latency);
    let status = response.status().as_u16();
    tracing::info!(
        target: "provisio::access",
        %method,
        route,
        status,
        // Whole microseconds: a float of milliseconds (0.30856100000000003) reads badly and
        // sums badly in a log pipeline.
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        request_id,
        "request"
    );
    // The operator API's own calls would drown what a partner looks for.
    if !route.starts_with("/_provisio") {
        let caller = notes.caller();
        let (request_body, response_body) = notes.bodies();
        let record = RequestRecord {
            id: 0,
            at: provisio_wire::time::format(at.micros()),
            method: method.to_string(),
            route,
            path,
            status,
            latency_ms: u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            partner_id: caller.and_then(|c| c.partner).map(|id| id.0),
            user_id: caller.and_then(|c| c.user).map(|id| id.0),
            reason: response
                .extensions()
                .get::<Refusal>()
                .map(|Refusal(text)| text.clone()),
            // Masked when read, not here: see `request_log`.
            request_body: None,
            response_body: None,
        };
        state.requests.push(record, request_body, response_body);
    }
    response
}

/// A header as text, cut short: it is the client's to choose.
fn header(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    Some(clip(headers.get(name)?.to_str().ok()?, 128))
}

/// `text`'s first `chars` characters, copied whole (not a character at a time, as
/// `chars().take(n).collect()` does: on every request) when it is no longer.
fn clip(text: &str, chars: usize) -> String {
    if text.len() <= chars {
        return text.to_owned();
    }
    match text.char_indices().nth(chars) {
        Some((end, _)) => text.get(..end).unwrap_or(text).to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::clip;

    #[test]
    fn clip_counts_characters_not_bytes() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc");
        assert_eq!(clip("", 3), "");
        // Two bytes each: six bytes, three characters, nothing cut.
        assert_eq!(clip("ééé", 3), "ééé");
        assert_eq!(clip("éééé", 3), "ééé");
        assert_eq!(clip("aé€😀b", 4), "aé€😀");
    }
}
