//! Sandbox controls under `/_provisio/` (operator API): the virtual clock, partners and reset
//! (`tenants`), and the health probes, which carry no data and so need no token and exist in
//! every profile.

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use provisio_core::time::{parse_duration, Clock};
use provisio_wire::{
    objects::SandboxClock,
    operator::HealthStatus,
    requests::{AdvanceClockRequest, CreatePartnerRequest},
    Item,
};

use super::tenants;
use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json},
        openapi::{delete, get, post, Api, Auth, Op},
        respond::{ApiResult, Bunq},
    },
    sandbox_clock, AppState,
};

/// The sandbox routes, to nest under `/_provisio`.
pub fn api() -> Api {
    let admin = |summary| Op::new(summary).auth(Auth::Admin);
    let clock_answer = &["SandboxClock"];
    let partner = &["SandboxPartner"];
    Api::new()
        .route(
            "/clock",
            [get(clock, admin("The virtual clock").answers(clock_answer))],
        )
        .route(
            "/clock/advance",
            [post(
                advance,
                admin("Move the virtual clock forward; what fell due runs at once")
                    .body::<AdvanceClockRequest>()
                    .answers(clock_answer),
            )],
        )
        .route(
            "/health",
            [get(
                health,
                Op::new("Liveness")
                    .auth(Auth::Public)
                    .answers_plain::<HealthStatus>(),
            )],
        )
        .route(
            "/ready",
            [get(
                ready,
                Op::new("Readiness: the store answers and its schema is this build's")
                    .auth(Auth::Public)
                    .answers_plain::<HealthStatus>(),
            )],
        )
        .route(
            "/partners",
            [
                post(
                    tenants::create,
                    admin("Create a partner; answers its API key once")
                        .body::<CreatePartnerRequest>()
                        .answers(partner),
                ),
                get(tenants::list, admin("Every partner").answers(partner)),
            ],
        )
        .route(
            "/partners/{id}",
            [delete(
                tenants::delete,
                admin("Remove a partner with everything it owns"),
            )],
        )
        .route(
            "/reset",
            [post(tenants::reset, admin("Empty the store (dev only)"))],
        )
}

/// Keeps this process's mirror of the shared clock fresh before a request reads it.
pub async fn refresh_clock(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    state
        .clock_sync
        .refresh(state.store.as_ref(), state.clock.as_ref())
        .await;
    next.run(request).await
}

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
    let by = parse_duration(&by).map_err(ApiError::bad_request)?;
    let offset = sandbox_clock::advance(state.store.as_ref(), state.clock.as_ref(), by).await?;
    state.changed();
    clock_answer(state.clock.as_ref(), offset)
}

/// `GET /_provisio/health`: the process answers.
pub async fn health() -> Response {
    axum::Json(HealthStatus::ok()).into_response()
}

/// `GET /_provisio/ready`: the store answers and its schema is this build's.
pub async fn ready(State(state): State<AppState>) -> Response {
    match state.store.ready().await {
        Ok(()) => axum::Json(HealthStatus::ok()).into_response(),
        Err(err) => {
            tracing::warn!(error = ?err, "not ready");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Not ready: the database is unreachable or its migrations are not applied.",
            )
            .into_response()
        }
    }
}
