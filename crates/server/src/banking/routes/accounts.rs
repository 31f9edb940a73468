//! Monetary accounts: `/user/{user_id}/monetary-account-bank[/{id}]`,
//! `/user/{user_id}/monetary-account-external[/{id}]`, and the general
//! `/user/{user_id}/monetary-account[/{id}]` that lists both, each item keyed by its type.
//! The partner's company and its provisioned users have accounts alike (see `AccountOwner`).

use crate::http::scope::path_segment;
use axum::{
    extract::{OriginalUri, State},
    http::HeaderMap,
};
use provisio_core::{
    account::{rules, AccountKind, MonetaryAccount},
    model::MonetaryAccountId,
};
use provisio_wire::{
    accounts::{account_item, MonetaryAccountRequest},
    Item,
};

use crate::{
    http::{
        avatar,
        error::ApiError,
        extract::Json,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

path_segment!(
    /// The `{id}` path segment.
    pub struct AccountPath(pub MonetaryAccountId) = "id"
);

fn not_found(kind: Option<AccountKind>) -> ApiError {
    ApiError::not_found(format!(
        "{} not found.",
        kind.map_or("MonetaryAccount", AccountKind::object_type)
    ))
}

async fn create(
    state: &AppState,
    owner: &AccountOwner,
    kind: AccountKind,
    body: MonetaryAccountRequest,
) -> ApiResult {
    let new = rules::new_account(kind, &body.into(), &owner.user.name)?;
    let account = state
        .store
        .create_account(owner.user.id, &new, state.clock.now())
        .await?;
    Bunq::id(account.id.0)
}

/// The accounts as bunq renders them, each showing its avatar.
async fn rendered(
    state: &AppState,
    headers: &HeaderMap,
    accounts: &[MonetaryAccount],
) -> Result<Vec<Item>, ApiError> {
    let items = accounts
        .iter()
        .map(|a| (a.avatar_uuid.clone(), account_item(a)))
        .collect();
    avatar::show_accounts(state, headers, items).await
}

async fn list(
    state: &AppState,
    owner: &AccountOwner,
    kind: Option<AccountKind>,
    (paging, path): (&Paging, &str),
    headers: &HeaderMap,
) -> ApiResult {
    let page = state
        .store
        .accounts(owner.user.id, kind, paging.query)
        .await?;
    let links = paging.links(path, &page, |a| a.id.0);
    Bunq::page(rendered(state, headers, &page.items).await?, links)
}

/// One account, as bunq renders it.
async fn one(
    state: &AppState,
    owner: &AccountOwner,
    kind: Option<AccountKind>,
    id: MonetaryAccountId,
    headers: &HeaderMap,
) -> ApiResult {
    let account = find(state, owner, kind, id).await?;
    Bunq::items(rendered(state, headers, &[account]).await?)
}

/// The owner's account `id`, of `kind` when given (another kind is not found).
async fn find(
    state: &AppState,
    owner: &AccountOwner,
    kind: Option<AccountKind>,
    id: MonetaryAccountId,
) -> Result<MonetaryAccount, ApiError> {
    state
        .store
        .account(owner.user.id, id)
        .await?
        .filter(|a| kind.is_none_or(|k| a.kind == k))
        .ok_or_else(|| not_found(kind))
}

async fn update(
    state: &AppState,
    owner: &AccountOwner,
    kind: AccountKind,
    id: MonetaryAccountId,
    body: MonetaryAccountRequest,
) -> ApiResult {
    let change = rules::update(kind, &body.into())?;
    let updated = state
        .store
        .update_account(owner.user.id, kind, id, &change, state.clock.now())
        .await?
        .ok_or_else(|| not_found(Some(kind)))?;
    Bunq::id(updated.id.0)
}

pub async fn create_bank(
    State(state): State<AppState>,
    owner: AccountOwner,
    Json(body): Json<MonetaryAccountRequest>,
) -> ApiResult {
    create(&state, &owner, AccountKind::Bank, body).await
}

pub async fn create_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    Json(body): Json<MonetaryAccountRequest>,
) -> ApiResult {
    create(&state, &owner, AccountKind::External, body).await
}

pub async fn list_bank(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult {
    let kind = Some(AccountKind::Bank);
    list(&state, &owner, kind, (&paging, uri.path()), &headers).await
}

pub async fn list_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult {
    let kind = Some(AccountKind::External);
    list(&state, &owner, kind, (&paging, uri.path()), &headers).await
}

pub async fn list_all(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> ApiResult {
    list(&state, &owner, None, (&paging, uri.path()), &headers).await
}

pub async fn get_bank(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
    headers: HeaderMap,
) -> ApiResult {
    one(&state, &owner, Some(AccountKind::Bank), id, &headers).await
}

pub async fn get_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
    headers: HeaderMap,
) -> ApiResult {
    one(&state, &owner, Some(AccountKind::External), id, &headers).await
}

pub async fn get_any(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
    headers: HeaderMap,
) -> ApiResult {
    one(&state, &owner, None, id, &headers).await
}

pub async fn update_bank(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
    Json(body): Json<MonetaryAccountRequest>,
) -> ApiResult {
    update(&state, &owner, AccountKind::Bank, id, body).await
}

pub async fn update_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
    Json(body): Json<MonetaryAccountRequest>,
) -> ApiResult {
    update(&state, &owner, AccountKind::External, id, body).await
}
