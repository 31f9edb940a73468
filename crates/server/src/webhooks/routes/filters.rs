//! Notification filters and the failure log (spec F.1, F.5).

use axum::extract::State;
use provisio_core::{
    model::{MonetaryAccountId, Page, UserId},
    webhook::{validate_filters, Filter, PARTNER_USER_PROVISION},
};
use provisio_wire::{
    objects::{FailedFilter, NotificationFilterFailure, NotificationFilterUrl},
    requests::{FailureRetryRequest, NotificationFiltersRequest},
    time::ts,
    Item,
};

use crate::{
    http::{
        error::ApiError,
        extract::Json,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::UserScope,
    },
    AppState,
};

/// Most ids one retry may name (spec F.5).
const MAX_RETRY_IDS: usize = 100;

/// Whose filters a path names, and who set them for a provisioned user.
pub(super) fn owner(scope: &UserScope) -> (UserId, Option<UserId>) {
    match scope {
        UserScope::Partner(user) => (user.id, None),
        UserScope::Provisioned { user, partner, .. } => (user.id, Some(*partner)),
    }
}

fn filter_item(owner: UserId, filter: &Filter) -> Item {
    account_filter_item(owner, None, filter)
}

/// A filter of `owner`, set on `account` when there is one.
pub(super) fn account_filter_item(
    owner: UserId,
    account: Option<MonetaryAccountId>,
    filter: &Filter,
) -> Item {
    Item::NotificationFilterUrl(NotificationFilterUrl {
        category: filter.category.clone(),
        notification_target: filter.target.clone(),
        all_user_id: vec![owner.0],
        all_monetary_account_id: account.map(|a| a.0).into_iter().collect(),
        all_verification_type: Vec::new(),
    })
}

/// The filters of a request body, checked (spec F.1).
pub(super) fn requested_filters(
    state: &AppState,
    body: NotificationFiltersRequest,
) -> Result<Vec<Filter>, ApiError> {
    Ok(validate_filters(
        body.notification_filters
            .into_iter()
            .map(|f| (f.category, f.notification_target))
            .collect(),
        state.config.allow_loopback_http(),
    )?)
}

/// `POST …/notification-filter-url`: the complete new set (an empty list removes all).
pub async fn set(
    State(state): State<AppState>,
    scope: UserScope,
    Json(body): Json<NotificationFiltersRequest>,
) -> ApiResult {
    let filters = requested_filters(&state, body)?;
    let (user, requested_by) = owner(&scope);
    // J-24: provision events are the partner's; they exist before any provisioned user does.
    if requested_by.is_some() && filters.iter().any(|f| f.category == PARTNER_USER_PROVISION) {
        return Err(ApiError::bad_request(
            "PARTNER_USER_PROVISION filters belong on the partner's company user, not on a provisioned user.",
        ));
    }
    state
        .store
        .replace_filters(user, requested_by, &filters, state.clock.now())
        .await?;
    Bunq::items(filters.iter().map(|f| filter_item(user, f)).collect())
}

pub async fn list(
    State(state): State<AppState>,
    scope: UserScope,
    paging: Paging,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiResult {
    let (user, _) = owner(&scope);
    let filters = state.store.filters(user).await?;
    // A user has a handful of filters: one page, always.
    let page = Page::whole(filters);
    let links = paging.links(uri.path(), &page, |_| 0);
    Bunq::page(
        page.items.iter().map(|f| filter_item(user, f)).collect(),
        links,
    )
}

/// Failures are listed on the partner's company user and cover all its provisioned users.
fn partner_only(scope: &UserScope) -> Result<UserId, ApiError> {
    match scope {
        UserScope::Partner(user) => Ok(user.id),
        UserScope::Provisioned { .. } => Err(ApiError::not_found(
            "Notification filter failures are listed on the partner's company user.",
        )),
    }
}

pub async fn failures(
    State(state): State<AppState>,
    scope: UserScope,
    paging: Paging,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> ApiResult {
    let partner = partner_only(&scope)?;
    let page = state.store.failures(partner, paging.query).await?;
    let links = paging.links(uri.path(), &page, |f| f.id);
    Bunq::page(
        page.items
            .iter()
            .map(|f| {
                Item::NotificationFilterFailure(NotificationFilterFailure {
                    id: f.id,
                    created: ts(f.created),
                    updated: ts(f.updated),
                    notification_filters: f
                        .filters
                        .iter()
                        .map(|filter| FailedFilter {
                            notification_delivery_method: "URL".into(),
                            notification_target: filter.target.clone(),
                            category: filter.category.clone(),
                        })
                        .collect(),
                    category: f.category.clone(),
                    event_type: f.event_type.clone(),
                    object_id: f.object_id,
                    exception_message: f.exception_message.clone(),
                    response_code: f.response_code,
                    notification_target: f.target.clone(),
                    user_id: f.user_id,
                    user_requested_id: f.user_requested_id,
                })
            })
            .collect(),
        links,
    )
}

/// `POST …/notification-filter-failure` with `{"notification_filter_failed_ids":"1,2,3"}`.
pub async fn retry(
    State(state): State<AppState>,
    scope: UserScope,
    Json(body): Json<FailureRetryRequest>,
) -> ApiResult {
    let partner = partner_only(&scope)?;
    let text = body.notification_filter_failed_ids.trim();
    let ids: Option<Vec<i64>> = text
        .split(',')
        .map(|id| id.parse::<i64>().ok().filter(|id| *id > 0))
        .collect();
    let ids = ids.filter(|ids| !ids.is_empty() && !text.contains(' ')).ok_or_else(|| {
        ApiError::bad_request("notification_filter_failed_ids must be ids separated by commas, such as \"1,2,3\".")
    })?;
    if ids.len() > MAX_RETRY_IDS {
        return Err(ApiError::bad_request(format!(
            "notification_filter_failed_ids may name at most {MAX_RETRY_IDS} failures."
        )));
    }
    match state
        .store
        .retry_failures(partner, &ids, state.clock.now())
        .await?
    {
        Ok(()) => {
            state.changed();
            Bunq::items(Vec::new())
        }
        Err(unknown) => Err(ApiError::not_found(format!(
            "NotificationFilterFailure not found: {}.",
            unknown
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
