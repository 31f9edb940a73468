//! Requests for money: `…/monetary-account/{id}/request-inquiry[/{request_inquiry_id}]` (ask,
//! list, read, revoke) and `…/monetary-account/{id}/request-response[/{request_response_id}]`
//! (the requests an account was sent: list, read, accept or reject). Making one must be
//! signed, as a payment (466 without `X-Bunq-Client-Signature`).

use axum::{
    extract::{OriginalUri, State},
    http::request::Parts,
};
use provisio_core::account::request::{answer, new_request, revocation, target, MoneyRequest};
use provisio_wire::{
    money_requests::{
        request_inquiry, request_response, RequestInquiryRequest, RequestStatusRequest,
    },
    Item,
};

use super::accounts::AccountPath;
use crate::{
    http::{
        error::ApiError,
        extract::{Json, SignedJson},
        idempotency::Idempotency,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::{path_id, AccountOwner},
    },
    AppState,
};

/// The `{request_inquiry_id}` or `{request_response_id}` path segment.
pub struct RequestPath(i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let id = match path_id(parts, "request_inquiry_id").await {
            Ok(id) => id,
            Err(_) => path_id(parts, "request_response_id").await?,
        };
        Ok(RequestPath(id))
    }
}

fn account_not_found() -> ApiError {
    ApiError::not_found("MonetaryAccount not found.")
}

fn inquiry_item(r: &MoneyRequest) -> Item {
    Item::RequestInquiry(request_inquiry(r))
}

/// A request made to an account here always has its response side.
fn response_item(r: &MoneyRequest) -> Result<Item, ApiError> {
    request_response(r)
        .map(Item::RequestResponse)
        .ok_or_else(|| ApiError::not_found("RequestResponse not found."))
}

pub async fn create(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    idempotency: Idempotency,
    SignedJson(body): SignedJson<RequestInquiryRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let new = new_request(&body.into())?;
    let target = target(&new, state.config.sugardaddy_limit())?;
    let now = state.clock.now();
    let made = state
        .store
        .create_request(owner.user.id, account, &new, &target, now, once.as_ref())
        .await?
        .ok_or_else(account_not_found)?;
    state.webhooks_queued();
    Bunq::id(made.id)
}

pub async fn list_inquiries(
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
        .ok_or_else(account_not_found)?;
    let page = state
        .store
        .request_inquiries(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |r| r.id);
    Bunq::page(page.items.iter().map(inquiry_item).collect(), links)
}

pub async fn get_inquiry(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    RequestPath(id): RequestPath,
) -> ApiResult {
    let found = state
        .store
        .request_inquiry(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("RequestInquiry not found."))?;
    Bunq::items(vec![inquiry_item(&found)])
}

/// `PUT …/request-inquiry/{id}` `{"status":"REVOKED"}`: answers the request as it is now.
pub async fn revoke(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    RequestPath(id): RequestPath,
    Json(body): Json<RequestStatusRequest>,
) -> ApiResult {
    revocation(body.status.as_deref())?;
    let revoked = state
        .store
        .revoke_request(owner.user.id, account, id, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("RequestInquiry not found."))?;
    state.webhooks_queued();
    Bunq::items(vec![inquiry_item(&revoked)])
}

pub async fn list_responses(
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
        .ok_or_else(account_not_found)?;
    let page = state
        .store
        .request_responses(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |r| r.id);
    let items = page
        .items
        .iter()
        .map(response_item)
        .collect::<Result<_, _>>()?;
    Bunq::page(items, links)
}

pub async fn get_response(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    RequestPath(id): RequestPath,
) -> ApiResult {
    let found = state
        .store
        .request_response(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("RequestResponse not found."))?;
    Bunq::items(vec![response_item(&found)?])
}

/// `PUT …/request-response/{id}`: `ACCEPTED` pays the request, `REJECTED` declines it;
/// answers the request as it is now.
pub async fn respond(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    RequestPath(id): RequestPath,
    idempotency: Idempotency,
    Json(body): Json<RequestStatusRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let answer = answer(body.status.as_deref(), body.amount().as_ref())?;
    let now = state.clock.now();
    let answered = state
        .store
        .answer_request(owner.user.id, account, id, &answer, now, once.as_ref())
        .await?
        .ok_or_else(|| ApiError::not_found("RequestResponse not found."))?;
    state.webhooks_queued();
    Bunq::items(vec![response_item(&answered)?])
}
