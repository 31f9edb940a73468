//! The dashboard's compliance buttons: decide an identity verification, raise an inquiry,
//! review an entry, finalize an inquiry. Each calls the operator API's own handler (see
//! `routes::operator`); the buttons are on a provision's timeline.

use axum::{extract::State, http::HeaderMap, response::Response, routing::post, Router};
use provisio_wire::requests::{DecideVerificationRequest, RaiseInquiryRequest, ReviewEntryRequest};

use super::routes::operator;
use crate::{
    http::extract::{Json, PathId},
    ui::{
        actions::{back, list, outcome, OPERATOR},
        session::Posted,
    },
    AppState,
};

/// The compliance buttons, merged into the router by `router::router`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/_provisio/ui/identity-verifications/{id}/decide",
            post(decide_identity),
        )
        .route("/_provisio/ui/users/{id}/inquiries", post(raise_inquiry))
        .route(
            "/_provisio/ui/inquiry-entries/{id}/review",
            post(review_entry),
        )
        .route(
            "/_provisio/ui/inquiries/{id}/finalize",
            post(finalize_inquiry),
        )
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
    let result = operator::decide_identity(State(state), OPERATOR, PathId(id), Json(body)).await;
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
    let result = operator::raise_inquiry(State(state), OPERATOR, PathId(user), Json(body)).await;
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
    let result = operator::review_entry(State(state), OPERATOR, PathId(entry), Json(body)).await;
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
    let result = operator::finalize_inquiry(State(state), OPERATOR, PathId(id)).await;
    outcome(
        result,
        &format!("Inquiry {id} finalized."),
        &back(&headers, "/_provisio/ui/"),
    )
}
