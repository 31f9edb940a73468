//! `POST /v1/sandbox-user-person`, `POST /v1/sandbox-user-company` and the older
//! `POST /v1/sandbox-user` (a person): bunq's developer sandbox hands out a user and its API
//! key to anyone who asks, with no token and no signature, so these stand outside the session
//! like `POST /v1/installation`. Only in the sandbox environment: in production they answer
//! 404 as a route that does not exist. Being unauthenticated writes, they are limited per
//! source address in every profile (`rate_limit::SANDBOX_USER`).

use axum::{extract::State, http::StatusCode};
use provisio_core::sandbox_user::SandboxUserKind;
use provisio_wire::{objects::SandboxApiKey, Item};

use crate::{
    context::sandbox_users::create_sandbox_user,
    http::{
        error::ApiError,
        extract::ClientIp,
        respond::{ApiResult, Bunq},
    },
    rate_limit, AppState,
};

async fn create(state: &AppState, ip: std::net::IpAddr, kind: SandboxUserKind) -> ApiResult {
    if state.config.environment != provisio_core::model::Environment::Sandbox {
        return Err(ApiError::not_found("The requested route does not exist."));
    }
    let ip = provisio_core::ip::canonical(ip);
    if !state.sandbox_user_calls.allow(ip, rate_limit::SANDBOX_USER) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            rate_limit::SANDBOX_USER.message(),
        ));
    }
    let (_, key) = create_sandbox_user(
        state.store.as_ref(),
        state.clock.as_ref(),
        state.config.environment,
        kind,
    )
    .await?;
    Bunq::items(vec![Item::ApiKey(SandboxApiKey {
        api_key: key.expose().to_owned(),
    })])
}

/// `POST /v1/sandbox-user-person` (and `/v1/sandbox-user`).
pub async fn person(State(state): State<AppState>, ClientIp(ip): ClientIp) -> ApiResult {
    create(&state, ip, SandboxUserKind::Person).await
}

/// `POST /v1/sandbox-user-company`.
pub async fn company(State(state): State<AppState>, ClientIp(ip): ClientIp) -> ApiResult {
    create(&state, ip, SandboxUserKind::Company).await
}
