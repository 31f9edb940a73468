//! Monetary accounts: `/user/{user_id}/monetary-account-bank[/{id}]`,
//! `/user/{user_id}/monetary-account-external[/{id}]`, and the general
//! `/user/{user_id}/monetary-account[/{id}]` that lists both, each item keyed by its type.
//! The partner's company and its provisioned users have accounts alike (see `AccountOwner`).

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::{
    account::{rules, AccountKind, MonetaryAccount},
    model::MonetaryAccountId,
};
use provisio_wire::accounts::{account_item, MonetaryAccountRequest};

use crate::{
    http::{
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

async fn list(
    state: &AppState,
    owner: &AccountOwner,
    kind: Option<AccountKind>,
    paging: &Paging,
    path: &str,
) -> ApiResult {
    let page = state
        .store
        .accounts(owner.user.id, kind, paging.query)
        .await?;
    let links = paging.links(path, &page, |a| a.id.0);
    Bunq::page(page.items.iter().map(account_item).collect(), links)
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
) -> ApiResult {
    list(&state, &owner, Some(AccountKind::Bank), &paging, uri.path()).await
}

pub async fn list_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    list(
        &state,
        &owner,
        Some(AccountKind::External),
        &paging,
        uri.path(),
    )
    .await
}

pub async fn list_all(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    list(&state, &owner, None, &paging, uri.path()).await
}

pub async fn get_bank(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
) -> ApiResult {
    let account = find(&state, &owner, Some(AccountKind::Bank), id).await?;
    Bunq::items(vec![account_item(&account)])
}

pub async fn get_external(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
) -> ApiResult {
    let account = find(&state, &owner, Some(AccountKind::External), id).await?;
    Bunq::items(vec![account_item(&account)])
}

pub async fn get_any(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(id): AccountPath,
) -> ApiResult {
    let account = find(&state, &owner, None, id).await?;
    Bunq::items(vec![account_item(&account)])
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
