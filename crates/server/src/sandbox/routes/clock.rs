//! The sandbox's virtual clock under `/_provisio/` (operator API): read it and move it
//! forward. (Keeping this process's mirror fresh is `sandbox_clock::keep_fresh`'s, off the
//! request path.)

use axum::extract::State;
use provisio_core::time::{clock_step, parse_duration, Clock};
use provisio_wire::{objects::SandboxClock, requests::AdvanceClockRequest, Item};

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json},
        respond::{ApiResult, Bunq},
    },
    sandbox_clock, AppState,
};

fn clock_answer(clock: &dyn Clock, offset_micros: i64) -> ApiResult {
    Bunq::items(vec![Item::SandboxClock(SandboxClock {
        now: provisio_wire::time::format(clock.now().micros()),
        offset_seconds: offset_micros / 1_000_000,
    })])
}

/// `GET /_provisio/clock`: provisio's "now" and its offset, read from the database.
pub async fn clock(State(state): State<AppState>, _: Admin) -> ApiResult {
    let offset = sandbox_clock::refresh(state.store.as_ref(), state.clock.as_ref()).await?;
    clock_answer(state.clock.as_ref(), offset)
}

/// `POST /_provisio/clock/advance` `{"by":"7d"}`: moves every process's clock forward; the
/// jobs and webhook deliveries that fell due in the skipped span run at once, in due order.
pub async fn advance(
    State(state): State<AppState>,
    _: Admin,
    Json(body): Json<AdvanceClockRequest>,
) -> ApiResult {
    let Some(by) = body.by else {
        return Err(ApiError::bad_request(
            "by is required: a duration such as 30s, 15m, 2h or 7d.",
        ));
    };
    let by = parse_duration(&by)
        .and_then(clock_step)
        .map_err(ApiError::bad_request)?;
    let offset = sandbox_clock::advance(state.store.as_ref(), state.clock.as_ref(), by).await?;
    state.changed();
    clock_answer(state.clock.as_ref(), offset)
}
