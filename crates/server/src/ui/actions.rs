//! What the dashboard's buttons share. Each button calls the JSON operator API's own handler
//! (or, for cancel, the partner API's), so a button is exactly that call: the same transition,
//! the same webhooks, the same refusal, which the next page shows.

use axum::{
    http::{header, HeaderMap},
    response::Response,
};

use super::session::Flash;
use crate::http::{error::ApiError, extract::Admin, respond::ApiResult};

/// The operator API's handlers check the bearer token with this extractor; here the
/// dashboard's session and form token (`Posted`) stand in for it.
pub const OPERATOR: Admin = Admin;

/// A comma-separated form field as a list.
pub fn list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Back to the dashboard page the form was on (`Referer`, same origin by then), else `home`.
pub fn back(headers: &HeaderMap, home: &str) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .filter(|path| path.starts_with("/_provisio/ui/") && !path.contains("//"))
        .unwrap_or(home)
        .to_owned()
}

pub fn outcome(result: ApiResult, done: &str, to: &str) -> Response {
    done_or_refused(result.map(drop), done, to)
}

pub fn done_or_refused(result: Result<(), ApiError>, done: &str, to: &str) -> Response {
    match result {
        Ok(_) => Flash::redirect(true, done, to),
        Err(err) => Flash::redirect(false, &format!("Refused: {}", err.description()), to),
    }
}
