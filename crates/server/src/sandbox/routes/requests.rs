//! `GET /_provisio/requests`: this process's recent requests, with who made them and why a
//! refused one was refused (see `request_log`).

use std::collections::HashMap;

use axum::extract::{Query, State};
use provisio_wire::Item;

use crate::{
    http::{
        error::ApiError,
        extract::Admin,
        respond::{ApiResult, Bunq},
    },
    AppState,
};

/// `?partner=ID` (that partner's only), `?after=ID` (newer than that record, for following),
/// `?count=N` (1 to 200, default 50); newest first.
pub async fn recent(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let number = |name: &str, default: u64, max: u64| -> Result<u64, ApiError> {
        match params.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("{name} must be an integer from 0 to {max}."))
                }),
        }
    };
    let partner = match params.get("partner") {
        None => None,
        Some(_) => Some(number("partner", 0, i64::MAX as u64)? as i64),
    };
    let after = number("after", 0, u64::MAX)?;
    let count = number("count", 50, 200)?.max(1) as usize;
    Bunq::items(
        state
            .requests
            .recent(partner, after, count)
            .into_iter()
            .map(Item::RequestRecord)
            .collect(),
    )
}
