//! Requests too large to be honest: a path or a header block far beyond anything bunq's API
//! needs is refused in the envelope before routing. (Beyond hyper's own buffer, hyper
//! refuses first; `connections::parse_errors` puts that answer in the envelope too.)

use axum::{
    extract::Request,
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::error::ApiError;

/// Longest path and query, in bytes.
pub const MAX_URI: usize = 8 * 1024;
/// Largest header block (names, values and separators), in bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI {
        return ApiError::bad_request(format!(
            "The request's path is too long; at most {MAX_URI} bytes are accepted."
        ))
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADER_BYTES {
        return ApiError::bad_request(format!(
            "The request's headers are too large; at most {MAX_HEADER_BYTES} bytes are accepted."
        ))
        .into_response();
    }
    next.run(request).await
}
