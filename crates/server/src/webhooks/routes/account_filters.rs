//! Notification filters set on one monetary account
//! (`/user/{user_id}/monetary-account/{id}/notification-filter-url`). bunq offers filters on
//! the user and on each account; an event about an account (a payment, a mutation, a card
//! transaction) goes to the account's filters as well as the user's, once per target. POST
//! replaces the account's set only; the user's own set is untouched.

use axum::extract::{OriginalUri, State};
use provisio_core::{model::MonetaryAccountId, model::Page, webhook::PARTNER_USER_PROVISION};
use provisio_wire::requests::NotificationFiltersRequest;

use super::filters::{account_filter_item, owner, requested_filters};
use crate::{
    http::{
        error::ApiError,
        extract::{Json, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::UserScope,
    },
    AppState,
};

/// The user's account the path names, or 404.
async fn own_account(
    state: &AppState,
    scope: &UserScope,
    id: i64,
) -> Result<MonetaryAccountId, ApiError> {
    let (user, _) = owner(scope);
    let account = MonetaryAccountId(id);
    state
        .store
        .account(user, account)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))
}

/// `POST …/monetary-account/{id}/notification-filter-url`: the account's complete new set.
pub async fn set(
    State(state): State<AppState>,
    scope: UserScope,
    PathId(id): PathId,
    Json(body): Json<NotificationFiltersRequest>,
) -> ApiResult {
    let account = own_account(&state, &scope, id).await?;
    let filters = requested_filters(&state, body)?;
    if filters.iter().any(|f| f.category == PARTNER_USER_PROVISION) {
        return Err(ApiError::bad_request(
            "PARTNER_USER_PROVISION filters belong on the partner's company user, not on an account.",
        ));
    }
    let (user, requested_by) = owner(&scope);
    state
        .store
        .replace_account_filters(user, account, requested_by, &filters, state.clock.now())
        .await?;
    Bunq::items(
        filters
            .iter()
            .map(|f| account_filter_item(user, Some(account), f))
            .collect(),
    )
}

pub async fn list(
    State(state): State<AppState>,
    scope: UserScope,
    PathId(id): PathId,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let account = own_account(&state, &scope, id).await?;
    let (user, _) = owner(&scope);
    // An account has a handful of filters: one page, always.
    let page = Page::whole(state.store.account_filters(user, account).await?);
    let links = paging.links(uri.path(), &page, |_| 0);
    Bunq::page(
        page.items
            .iter()
            .map(|f| account_filter_item(user, Some(account), f))
            .collect(),
        links,
    )
}
