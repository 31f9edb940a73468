//! `GET /user/{user_id}/event` (bunq's filters `monetary_account_id`, `status`,
//! `display_user_event`, and paging) and `GET /user/{user_id}/event/{id}`.

use std::collections::HashMap;

use axum::extract::{OriginalUri, Query, State};
use provisio_core::{
    feed::{EventFilter, EventStatus},
    model::MonetaryAccountId,
};
use provisio_wire::{feed::event, Item};

use crate::{
    feed::objects::load,
    http::{
        error::ApiError,
        extract::PathId,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

/// The filters as the Pagination URLs repeat them (name, encoded value).
type Repeated = Vec<(&'static str, String)>;

/// bunq's filters from the query string, with their text for the Pagination URLs.
fn filter(params: &HashMap<String, String>) -> Result<(EventFilter, Repeated), ApiError> {
    let mut filter = EventFilter::default();
    let mut repeated = Vec::new();
    if let Some(raw) = params.get("monetary_account_id") {
        let ids: Option<Vec<MonetaryAccountId>> = raw
            .split(',')
            .map(|id| {
                id.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .map(MonetaryAccountId)
            })
            .collect();
        filter.accounts = ids.filter(|ids| !ids.is_empty()).ok_or_else(|| {
            ApiError::bad_request("monetary_account_id must be account ids separated by commas.")
        })?;
        let text: Vec<String> = filter.accounts.iter().map(|a| a.0.to_string()).collect();
        repeated.push(("monetary_account_id", text.join("%2C")));
    }
    if let Some(raw) = params.get("status") {
        let status = EventStatus::parse(raw)
            .ok_or_else(|| ApiError::bad_request("status must be FINALIZED or AWAITING_REPLY."))?;
        filter.status = Some(status);
        repeated.push(("status", status.as_str().to_owned()));
    }
    if let Some(raw) = params.get("display_user_event") {
        let display = match raw.as_str() {
            "true" => true,
            "false" => false,
            _ => {
                return Err(ApiError::bad_request(
                    "display_user_event must be true or false.",
                ))
            }
        };
        filter.display_user_event = Some(display);
        repeated.push(("display_user_event", raw.clone()));
    }
    Ok((filter, repeated))
}

pub async fn list(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let (filter, repeated) = filter(&params)?;
    let user = owner.user.id;
    let page = state.store.events(user, &filter, paging.query).await?;
    let links = paging.links_with(uri.path(), &repeated, &page, |e| e.id);
    let mut items = Vec::with_capacity(page.items.len());
    for e in &page.items {
        if let Some(object) = load(&state, e).await? {
            items.push(Item::Event(event(e, object)));
        }
    }
    Bunq::page(items, links)
}

pub async fn get(
    State(state): State<AppState>,
    owner: AccountOwner,
    PathId(id): PathId,
) -> ApiResult {
    let not_found = || ApiError::not_found("Event not found.");
    let found = state
        .store
        .event(owner.user.id, id)
        .await?
        .ok_or_else(not_found)?;
    let object = load(&state, &found).await?.ok_or_else(not_found)?;
    Bunq::items(vec![Item::Event(event(&found, object))])
}
