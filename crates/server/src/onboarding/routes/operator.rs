//! What bunq's compliance team does, as the operator API does it (`/_provisio`): raise an
//! information inquiry, review its entries, finalize it, and decide an identity verification
//! now. The same calls as the CLI's (see `onboarding::compliance`).

use axum::extract::State;
use provisio_core::{inquiry, model::UserId};
use provisio_wire::{
    kyc,
    requests::{DecideVerificationRequest, RaiseInquiryRequest, ReviewEntryRequest},
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
        respond::{ApiResult, Bunq},
    },
    onboarding::compliance,
    AppState,
};

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
