//! Requests too large to be honest: a path or a header block far beyond anything bunq's API
//! needs is refused in the envelope before routing. (Beyond hyper's own buffer, hyper
//! refuses first; `connections::parse_errors` puts that answer in the envelope too.)

use axum::extract::Request;

use super::error::ApiError;

/// Longest path and query, in bytes.
pub const MAX_URI: usize = 8 * 1024;
/// Largest header block (names, values and separators), in bytes.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The refusal of a request whose path or header block is too large; `None` when it is not.
/// Asked by the response signer before anything else sees the request (`sign_layer`), not in
/// a layer of its own: each layer costs every request a clone of the service below it.
pub fn oversized(request: &Request) -> Option<ApiError> {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI {
        return Some(ApiError::bad_request(format!(
            "The request's path is too long; at most {MAX_URI} bytes are accepted."
        )));
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADER_BYTES {
        return Some(ApiError::bad_request(format!(
            "The request's headers are too large; at most {MAX_HEADER_BYTES} bytes are accepted."
        )));
    }
    None
}
