//! Injected faults under `/_provisio/faults` (dev profile, operator's token): arm one on a
//! `/v1` route, list what is armed, clear them all (see `faults`). In `strict` every one of
//! them answers as a route that does not exist.

use axum::extract::State;
use provisio_wire::{requests::FaultRequest, Item};

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, DevOnly, Json},
        respond::{ApiResult, Bunq},
    },
    AppState,
};

/// `POST /_provisio/faults`: arms the fault; answers it with its id. A refused body arms
/// nothing.
pub async fn arm(
    _: DevOnly,
    State(state): State<AppState>,
    _: Admin,
    Json(body): Json<FaultRequest>,
) -> ApiResult {
    let armed = state.faults.arm(&body).map_err(ApiError::bad_request)?;
    Bunq::items(vec![Item::Fault(armed)])
}

/// `GET /_provisio/faults`: what is armed, oldest first, with the calls each has left.
pub async fn list(_: DevOnly, State(state): State<AppState>, _: Admin) -> ApiResult {
    Bunq::items(state.faults.list().into_iter().map(Item::Fault).collect())
}

/// `DELETE /_provisio/faults`: disarms them all.
pub async fn clear(_: DevOnly, State(state): State<AppState>, _: Admin) -> ApiResult {
    state.faults.clear();
    Bunq::items(Vec::new())
}
