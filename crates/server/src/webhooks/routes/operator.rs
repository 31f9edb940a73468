//! The operator's delivery inspector (`/_provisio/deliveries`): what was sent, with the
//! headers it is sent with, and one more attempt on request.

use std::collections::HashMap;

use axum::extract::{Query, State};
use provisio_wire::Item;

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, PathId},
        respond::{ApiResult, Bunq},
    },
    webhooks::dispatch::Inspector,
    AppState,
};

/// `GET /_provisio/deliveries?target=URL&count=N`: recent deliveries, newest first, each with
/// its body and the headers it is sent with.
pub async fn deliveries(
    State(state): State<AppState>,
    _: Admin,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult {
    let count = match params.get("count") {
        None => 20,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|c| (1..=200).contains(c))
            .ok_or_else(|| ApiError::bad_request("count must be an integer from 1 to 200."))?,
    };
    let target = params.get("target").map(String::as_str);
    let deliveries = Inspector::new(state.signer.clone())
        .deliveries(state.store.as_ref(), target, count)
        .await?;
    Bunq::items(deliveries.into_iter().map(Item::WebhookDelivery).collect())
}

/// `POST /_provisio/deliveries/{id}/resend`: one more attempt, with the same event id.
pub async fn resend(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    if !state.store.resend(id, state.clock.now()).await? {
        return Err(ApiError::not_found("Delivery not found."));
    }
    state.changed();
    Bunq::id(id)
}
