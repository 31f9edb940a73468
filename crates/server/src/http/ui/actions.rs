//! The dashboard's buttons. Each calls the JSON operator API's own handler (or, for cancel,
//! the partner API's), so a button is exactly that call: the same transition, the same
//! webhooks, the same refusal, which the next page shows.

use axum::{
    extract::{Path, State},
    response::Response,
};
use provisio_core::model::ProvisionId;

use crate::ui::{
    actions::{done_or_refused, OPERATOR},
    session::{Flash, Posted},
};
use crate::{
    http::{
        extract::PathId,
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
