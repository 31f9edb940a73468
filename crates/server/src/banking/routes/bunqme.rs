//! bunq.me tabs: `…/monetary-account/{id}/bunqme-tab[/{bunqme_tab_id}]` (open, list, read,
//! cancel) under `/v1`, and `POST /_provisio/bunqme-tabs/{id}/pay`, where the operator pays a
//! tab as a stranger would, from an IBAN elsewhere or from an account held here.

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::account::bunqme::{cancellation, new_tab, payer};
use provisio_wire::{
    bunqme::{bunqme_tab, BunqMeTabPayRequest, BunqMeTabRequest},
    Item,
};

use super::accounts::AccountPath;
use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
        idempotency::Idempotency,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

path_segment!(
    /// The `{bunqme_tab_id}` path segment.
    pub struct TabPath(i64) = "bunqme_tab_id"
);

fn tab_not_found() -> ApiError {
    ApiError::not_found("BunqMeTab not found.")
}

pub async fn create(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    Json(body): Json<BunqMeTabRequest>,
) -> ApiResult {
    let new = new_tab(body.amount().as_ref(), body.description())?;
    let tab = state
        .store
        .create_tab(owner.user.id, account, &new, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))?;
    state.webhooks_queued();
    Bunq::id(tab.id)
}

pub async fn list(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    state
        .store
        .account(owner.user.id, account)
        .await?
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))?;
    let page = state
        .store
        .tabs(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |t| t.id);
    let items = page
        .items
        .iter()
        .map(|t| Item::BunqMeTab(bunqme_tab(t)))
        .collect();
    Bunq::page(items, links)
}

pub async fn get(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    TabPath(id): TabPath,
) -> ApiResult {
    let tab = state
        .store
        .tab(owner.user.id, account, id)
        .await?
        .ok_or_else(tab_not_found)?;
    Bunq::items(vec![Item::BunqMeTab(bunqme_tab(&tab))])
}

/// `PUT …/bunqme-tab/{id}` `{"status":"CANCELLED"}`: answers the tab as it is now.
pub async fn cancel(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    TabPath(id): TabPath,
    Json(body): Json<BunqMeTabRequest>,
) -> ApiResult {
    cancellation(body.status.as_deref())?;
    let tab = state
        .store
        .cancel_tab(owner.user.id, account, id, state.clock.now())
        .await?
        .ok_or_else(tab_not_found)?;
    state.webhooks_queued();
    Bunq::items(vec![Item::BunqMeTab(bunqme_tab(&tab))])
}

/// provisio's operator API: a stranger pays the tab's amount (`POST
/// /_provisio/bunqme-tabs/{id}/pay`), from an IBAN elsewhere or from an account held here
/// (`from_monetary_account_id`), answered with the tab and its results.
pub async fn pay(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    idempotency: Idempotency,
    Json(body): Json<BunqMeTabPayRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let payer = payer(
        body.from_iban.as_deref(),
        body.from_name.as_deref(),
        body.from_monetary_account_id,
    )?;
    let tab = state
        .store
        .pay_tab(id, &payer, state.clock.now(), once.as_ref())
        .await?
        .ok_or_else(tab_not_found)?;
    state.webhooks_queued();
    Bunq::items(vec![Item::BunqMeTab(bunqme_tab(&tab))])
}
