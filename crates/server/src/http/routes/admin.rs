//! The operator API under `/_provisio/` (not bunq's): sandbox controls that bunq's hosted
//! sandbox lacks. Protected by the admin token printed at start; absent in a strict
//! production deployment.

use axum::extract::State;
use provisio_core::{
    inquiry,
    model::{ProvisionId, UserId},
};
use provisio_wire::{
    kyc, render,
    requests::{DecideVerificationRequest, RaiseInquiryRequest, ReviewEntryRequest},
    Item,
};

use crate::{
    compliance,
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
        respond::{ApiResult, Bunq},
    },
    ops, AppState,
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

/// `POST /_provisio/users/{id}/inquiries` `{"purpose":"ONBOARDING","entry_types":[…]}`: what
/// bunq's compliance team would do. Answers with the inquiry.
pub async fn raise_inquiry(
    State(state): State<AppState>,
    _: Admin,
    PathId(user): PathId,
    Json(body): Json<RaiseInquiryRequest>,
) -> ApiResult {
    let purpose = body.purpose.as_deref().unwrap_or(inquiry::ONBOARDING);
    let id = compliance::raise(
        state.store.as_ref(),
        state.clock.as_ref(),
        UserId(user),
        purpose,
        body.entry_types,
    )
    .await?;
    state.changed();
    inquiry_answer(&state, id).await
}

async fn inquiry_answer(state: &AppState, id: i64) -> ApiResult {
    let inquiry = state
        .store
        .inquiry(id)
        .await?
        .ok_or_else(|| ApiError::not_found("UserInformationInquiry not found."))?;
    Bunq::items(vec![Item::UserInformationInquiry(kyc::inquiry(&inquiry))])
}

/// `POST /_provisio/inquiry-entries/{id}/review` `{"status":"APPROVED"|"REJECTED",
/// "reject_reason":…, "reopen":bool}`.
pub async fn review_entry(
    State(state): State<AppState>,
    _: Admin,
    PathId(entry): PathId,
    Json(body): Json<ReviewEntryRequest>,
) -> ApiResult {
    let approved = match body.status.as_deref() {
        Some("APPROVED") => true,
        Some("REJECTED") => false,
        _ => {
            return Err(ApiError::bad_request(
                "status must be APPROVED or REJECTED.",
            ))
        }
    };
    compliance::review(
        state.store.as_ref(),
        state.clock.as_ref(),
        entry,
        approved,
        body.reject_reason.as_deref(),
        body.reopen,
    )
    .await?;
    state.changed();
    Bunq::id(entry)
}

/// `POST /_provisio/inquiries/{id}/finalize`: cancels what is still open and finalizes.
pub async fn finalize_inquiry(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
) -> ApiResult {
    let inquiry = compliance::finalize(state.store.as_ref(), state.clock.as_ref(), id).await?;
    state.changed();
    Bunq::items(vec![Item::UserInformationInquiry(kyc::inquiry(&inquiry))])
}

/// `POST /_provisio/identity-verifications/{id}/decide` `{"result":"REJECTED",
/// "all_fail_reason":[…]}`: decides now, instead of the sandbox rule after the delay.
pub async fn decide_identity(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    Json(body): Json<DecideVerificationRequest>,
) -> ApiResult {
    let session = compliance::decide_identity(
        state.store.as_ref(),
        state.clock.as_ref(),
        id,
        body.result.as_deref().unwrap_or_default(),
        body.all_fail_reason,
    )
    .await?;
    state.changed();
    Bunq::items(vec![Item::IdentityVerificationSessionIncode(
        kyc::identity_verification(&session),
    )])
}
