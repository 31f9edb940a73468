//! The operator's decisions on a provision under `/_provisio/` (not bunq's): sandbox controls
//! that bunq's hosted sandbox lacks. Protected by the admin token printed at start; absent in a
//! strict production deployment.

use axum::extract::State;
use provisio_core::model::ProvisionId;
use provisio_wire::{render, Item};

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, PathId},
        respond::{ApiResult, Bunq},
    },
    provisioning::ops,
    AppState,
};

async fn answer(state: &AppState, id: ProvisionId) -> ApiResult {
    let provision = state
        .store
        .provision(id)
        .await?
        .ok_or_else(|| ApiError::not_found("PartnerUserProvision not found."))?;
    state.changed();
    Bunq::items(vec![Item::PartnerUserProvision(render::provision(
        &provision,
    ))])
}

pub async fn approve(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let id = ProvisionId(id);
    ops::decide_onboarding(
        state.store.as_ref(),
        state.clock.as_ref(),
        id,
        true,
        "onboarding approved by an operator",
    )
    .await?;
    answer(&state, id).await
}

pub async fn deny(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let id = ProvisionId(id);
    let before = ops::decide_onboarding(
        state.store.as_ref(),
        state.clock.as_ref(),
        id,
        false,
        "onboarding denied by an operator",
    )
    .await?;
    if let Some(user) = before.api_key_user_id {
        state.auth.revoke_user(user);
    }
    answer(&state, id).await
}

pub async fn fail(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let id = ProvisionId(id);
    ops::fail(state.store.as_ref(), state.clock.as_ref(), id).await?;
    answer(&state, id).await
}

pub async fn expire_credential(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
) -> ApiResult {
    let id = ProvisionId(id);
    ops::expire_credential(state.store.as_ref(), state.clock.as_ref(), id).await?;
    answer(&state, id).await
}

pub async fn history(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let entries = ops::history(state.store.as_ref(), ProvisionId(id)).await?;
    Bunq::items(
        entries
            .iter()
            .map(|e| Item::ProvisionHistoryEntry(render::history_entry(e)))
            .collect(),
    )
}
