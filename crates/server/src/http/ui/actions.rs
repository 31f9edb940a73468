//! The dashboard's buttons. Each calls the JSON operator API's own handler (or, for cancel,
//! the partner API's), so a button is exactly that call: the same transition, the same
//! webhooks, the same refusal, which the next page shows.

use axum::{
    extract::{Path, State},
    http::{header, HeaderMap},
    response::Response,
};
use provisio_core::model::ProvisionId;
use provisio_wire::requests::{DecideVerificationRequest, RaiseInquiryRequest, ReviewEntryRequest};

use super::session::{Flash, Posted};
use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
        respond::ApiResult,
        routes::{admin, provision::request_status},
    },
    AppState,
};

/// The operator API's handlers check the bearer token with this extractor; here the
/// dashboard's session and form token (`Posted`) stand in for it.
pub(super) const OPERATOR: Admin = Admin;

fn list(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Back to the dashboard page the form was on (`Referer`, same origin by then), else `home`.
pub(super) fn back(headers: &HeaderMap, home: &str) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .filter(|path| path.starts_with("/_provisio/ui/") && !path.contains("//"))
        .unwrap_or(home)
        .to_owned()
}

pub(super) fn outcome(result: ApiResult, done: &str, to: &str) -> Response {
    done_or_refused(result.map(drop), done, to)
}

fn done_or_refused(result: Result<(), ApiError>, done: &str, to: &str) -> Response {
    match result {
        Ok(_) => Flash::redirect(true, done, to),
        Err(err) => Flash::redirect(false, &format!("Refused: {}", err.description()), to),
    }
}

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

pub async fn resend(
    State(state): State<AppState>,
    headers: HeaderMap,
    PathId(id): PathId,
    _: Posted,
) -> Response {
    let result = admin::resend(State(state), OPERATOR, PathId(id)).await;
    outcome(
        result,
        &format!("Delivery {id} queued again."),
        &back(&headers, "/_provisio/ui/deliveries"),
    )
}
