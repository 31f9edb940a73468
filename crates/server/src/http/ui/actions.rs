//! The dashboard's buttons. Each calls the JSON operator API's own handler (or, for cancel,
//! the partner API's), so a button is exactly that call: the same transition, the same
//! webhooks, the same refusal, which the next page shows.

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use provisio_core::model::ProvisionId;
use provisio_wire::requests::{DecideVerificationRequest, RaiseInquiryRequest, ReviewEntryRequest};

use crate::ui::{
    actions::{back, done_or_refused, list, outcome, OPERATOR},
    session::{Flash, Posted},
};
use crate::{
    http::{
        extract::{Json, PathId},
        routes::{admin, provision::request_status},
    },
    AppState,
};

/// `POST /_provisio/ui/provisions/{id}/{action}`.
pub async fn provision(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
    _: Posted,
) -> Response {
    let to = format!("/_provisio/ui/provisions/{id}");
    let path = PathId(id);
    let s = State(state.clone());
    let result = match action.as_str() {
        "approve" => admin::approve(s, OPERATOR, path).await.map(drop),
        "deny" => admin::deny(s, OPERATOR, path).await.map(drop),
        "fail" => admin::fail(s, OPERATOR, path).await.map(drop),
        "expire-credential" => admin::expire_credential(s, OPERATOR, path).await.map(drop),
        "cancel" => request_status(&state, ProvisionId(id), "CANCELLED").await,
        _ => return Flash::redirect(false, "No such action.", &to),
    };
    let label = super::provision::ACTIONS
        .iter()
        .find(|(name, _, _)| *name == action)
        .map_or(action.as_str(), |(_, label, _)| label);
    done_or_refused(result, &format!("{label}: done."), &to)
}

pub async fn decide_identity(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    form: Posted,
) -> Response {
    let body = DecideVerificationRequest {
        result: form.field("result").map(str::to_owned),
        all_fail_reason: list(form.field("all_fail_reason")),
    };
    let result = admin::decide_identity(State(state), OPERATOR, PathId(id), Json(body)).await;
    outcome(
        result,
        &format!("Identity verification {id} decided."),
        &back(&headers, "/_provisio/ui/"),
    )
}

pub async fn raise_inquiry(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(user): PathId,
    form: Posted,
) -> Response {
    let body = RaiseInquiryRequest {
        purpose: form.field("purpose").map(str::to_owned),
        entry_types: list(form.field("entry_types")),
    };
    let result = admin::raise_inquiry(State(state), OPERATOR, PathId(user), Json(body)).await;
    outcome(result, "Inquiry raised.", &back(&headers, "/_provisio/ui/"))
}

pub async fn review_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(entry): PathId,
    form: Posted,
) -> Response {
    let body = ReviewEntryRequest {
        status: form.field("status").map(str::to_owned),
        reject_reason: form.field("reject_reason").map(str::to_owned),
        reopen: form.field("reopen") == Some("true"),
    };
    let result = admin::review_entry(State(state), OPERATOR, PathId(entry), Json(body)).await;
    outcome(
        result,
        &format!("Inquiry entry {entry} reviewed."),
        &back(&headers, "/_provisio/ui/"),
    )
}

pub async fn finalize_inquiry(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    _: Posted,
) -> Response {
    let result = admin::finalize_inquiry(State(state), OPERATOR, PathId(id)).await;
    outcome(
        result,
        &format!("Inquiry {id} finalized."),
        &back(&headers, "/_provisio/ui/"),
    )
}
