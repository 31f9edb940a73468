//! Payment batches (`…/monetary-account/{id}/payment-batch`) and draft payments
//! (`…/draft-payment`). A batch is signed like a payment (466 without a signature) and pays
//! all its payments or none. A draft is answered by the account holder's session (the
//! provisioned user's own, or its partner's acting for it, as [`AccountOwner`] allows) with a
//! `PUT` of `{"status":"ACCEPTED"}` (pays, signed) or `{"status":"REJECTED"}`.

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::account::batch::{draft_answer, new_payments, required_accepts};
use provisio_wire::{
    batches::{draft_payment, inputs, payment_batch, DraftPaymentRequest, PaymentBatchRequest},
    Item,
};

use super::accounts::AccountPath;
use crate::{
    banking::payments::policy,
    http::{
        error::ApiError,
        extract::SignedJson,
        idempotency::Idempotency,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

path_segment!(
    /// The `{payment_batch_id}` path segment.
    pub struct BatchPath(i64) = "payment_batch_id"
);

path_segment!(
    /// The `{draft_payment_id}` path segment.
    pub struct DraftPath(i64) = "draft_payment_id"
);

fn account_not_found() -> ApiError {
    ApiError::not_found("MonetaryAccount not found.")
}

/// Answers `None` from the store: the account, or the object under it, is not the user's.
async fn ensure_account(
    state: &AppState,
    owner: &AccountOwner,
    account: AccountPath,
) -> Result<(), ApiError> {
    state
        .store
        .account(owner.user.id, account.0)
        .await?
        .map(drop)
        .ok_or_else(account_not_found)
}

pub async fn create_batch(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    idempotency: Idempotency,
    SignedJson(body): SignedJson<PaymentBatchRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let payments = new_payments("payments", &inputs(body.payments))?;
    let policy = policy(state.config.profile, &owner.user);
    let batch = state
        .store
        .pay_batch(
            owner.user.id,
            account,
            &payments,
            &policy,
            state.clock.now(),
            once.as_ref(),
        )
        .await?
        .ok_or_else(account_not_found)?;
    state.webhooks_queued();
    Bunq::id(batch.id)
}

pub async fn list_batches(
    State(state): State<AppState>,
    owner: AccountOwner,
    account: AccountPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let id = account.0;
    ensure_account(&state, &owner, account).await?;
    let page = state.store.batches(owner.user.id, id, paging.query).await?;
    let links = paging.links(uri.path(), &page, |b| b.id);
    Bunq::page(
        page.items
            .iter()
            .map(|b| Item::PaymentBatch(payment_batch(b)))
            .collect(),
        links,
    )
}

pub async fn get_batch(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    BatchPath(id): BatchPath,
) -> ApiResult {
    let found = state
        .store
        .batch(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("PaymentBatch not found."))?;
    Bunq::items(vec![Item::PaymentBatch(payment_batch(&found))])
}

pub async fn create_draft(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    SignedJson(body): SignedJson<DraftPaymentRequest>,
) -> ApiResult {
    let entries = new_payments("entries", &inputs(body.entries))?;
    required_accepts(body.number_of_required_accepts)?;
    let draft = state
        .store
        .create_draft(owner.user.id, account, &entries, state.clock.now())
        .await?
        .ok_or_else(account_not_found)?;
    state.webhooks_queued();
    Bunq::id(draft.id)
}

pub async fn answer_draft(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    DraftPath(id): DraftPath,
    idempotency: Idempotency,
    SignedJson(body): SignedJson<DraftPaymentRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let answer = draft_answer(body.status.as_deref())?;
    let policy = policy(state.config.profile, &owner.user);
    let draft = state
        .store
        .answer_draft(
            owner.user.id,
            account,
            id,
            answer,
            &policy,
            state.clock.now(),
            once.as_ref(),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("DraftPayment not found."))?;
    state.webhooks_queued();
    Bunq::id(draft.id)
}

pub async fn list_drafts(
    State(state): State<AppState>,
    owner: AccountOwner,
    account: AccountPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let id = account.0;
    ensure_account(&state, &owner, account).await?;
    let page = state.store.drafts(owner.user.id, id, paging.query).await?;
    let links = paging.links(uri.path(), &page, |d| d.id);
    Bunq::page(
        page.items
            .iter()
            .map(|d| Item::DraftPayment(draft_payment(d)))
            .collect(),
        links,
    )
}

pub async fn get_draft(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    DraftPath(id): DraftPath,
) -> ApiResult {
    let found = state
        .store
        .draft(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("DraftPayment not found."))?;
    Bunq::items(vec![Item::DraftPayment(draft_payment(&found))])
}
