//! The built-in webhook sink, dev profile only (see `webhook_sink`): `POST
//! /_provisio/sink/{name}` keeps any POST, as a receiver would get it; `GET` lists what a name
//! kept, oldest first; `DELETE` forgets it. In `strict` every one of them answers as a route
//! that does not exist.
//!
//! The POST takes no token: it is where a notification filter points, and the dispatcher sends
//! none. Reading and clearing take the operator's, as the delivery inspector does.

use std::collections::HashMap;

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    http::HeaderMap,
};
use provisio_core::text::quoted;
use provisio_wire::Item;

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, DevOnly},
        respond::{ApiResult, Bunq},
    },
    webhook_sink::{valid_name, PER_NAME},
    AppState,
};

fn checked(name: String) -> Result<String, ApiError> {
    if valid_name(&name) {
        Ok(name)
    } else {
        Err(ApiError::bad_request(format!(
            "The sink's name {} must be 1 to 64 of the letters, digits, '.', '_' and '-'.",
            quoted(&name)
        )))
    }
}

/// `POST /_provisio/sink/{name}`: keeps the request; answers its id.
pub async fn keep(
    _: DevOnly,
    State(state): State<AppState>,
    Path(name): Path<String>,
    sent: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let name = checked(name)?;
    let at = provisio_wire::time::format(state.clock.now().micros());
    let id = state.sink.keep(&name, at, &sent, &body);
    Bunq::id(i64::try_from(id).unwrap_or(i64::MAX))
}

/// `GET /_provisio/sink/{name}`: what it kept, oldest first; `?after=ID` only those after
/// that one (to follow), `?count=N` at most the newest N (1 to 1000, default all).
pub async fn list(
    _: DevOnly,
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let name = checked(name)?;
    let number = |key: &str, default: u64, min: u64, max: u64| -> Result<u64, ApiError> {
        match params.get(key) {
            None => Ok(default),
            Some(text) => text
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!("{key} must be an integer from {min} to {max}."))
                }),
        }
    };
    let after = number("after", 0, 0, u64::MAX)?;
    let count = number("count", PER_NAME as u64, 1, PER_NAME as u64)? as usize;
    Bunq::items(
        state
            .sink
            .list(&name, after, count)
            .into_iter()
            .map(Item::SinkRequest)
            .collect(),
    )
}

/// `DELETE /_provisio/sink/{name}`: forgets what it kept.
pub async fn clear(
    _: DevOnly,
    State(state): State<AppState>,
    _: Admin,
    Path(name): Path<String>,
) -> ApiResult {
    let name = checked(name)?;
    state.sink.clear(&name);
    Bunq::items(Vec::new())
}
