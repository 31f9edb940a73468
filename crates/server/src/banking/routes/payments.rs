//! Payments: `POST/GET /user/{user_id}/monetary-account/{id}/payment[/{payment_id}]`. A
//! payment must be signed (466 without `X-Bunq-Client-Signature`, as bunq).

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::{account::payment::new_payment, model::PaymentId};
use provisio_wire::{
    payments::{ledger as render_ledger, payment, CreditRequest, PaymentRequest},
    Item,
};

use super::accounts::AccountPath;
use crate::{
    banking::payments::{credit as credit_account, policy},
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId, SignedJson},
        idempotency::Idempotency,
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState,
};

path_segment!(
    /// The `{payment_id}` path segment.
    pub struct PaymentPath(pub PaymentId) = "payment_id"
);

fn account_not_found() -> ApiError {
    ApiError::not_found("MonetaryAccount not found.")
}

pub async fn create(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    idempotency: Idempotency,
    SignedJson(body): SignedJson<PaymentRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let new = new_payment(&body.into())?;
    let policy = policy(state.config.profile, &owner.user);
    let paid = state
        .store
        .pay(
            owner.user.id,
            account,
            &new,
            &policy,
            state.clock.now(),
            once.as_ref(),
        )
        .await?
        .ok_or_else(account_not_found)?;
    state.webhooks_queued();
    Bunq::id(paid.id.0)
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
        .ok_or_else(account_not_found)?;
    let page = state
        .store
        .payments(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |p| p.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|p| Item::Payment(payment(p)))
            .collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(id): PaymentPath,
) -> ApiResult {
    let found = state
        .store
        .payment(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("Payment not found."))?;
    Bunq::items(vec![Item::Payment(payment(&found))])
}

/// provisio's operator API: money in from an IBAN elsewhere (`POST
/// /_provisio/monetary-accounts/{id}/credit`), answered with the incoming Payment.
pub async fn credit(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    idempotency: Idempotency,
    Json(body): Json<CreditRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let paid = credit_account(
        state.store.as_ref(),
        state.clock.as_ref(),
        provisio_core::model::MonetaryAccountId(id),
        &body.amount,
        body.from_iban.as_deref(),
        body.from_name.as_deref(),
        body.description.as_deref(),
        once.as_ref(),
    )
    .await?;
    state.webhooks_queued();
    Bunq::items(vec![Item::Payment(payment(&paid))])
}

/// provisio's operator API: the ledger's totals and invariants (`GET /_provisio/ledger`).
pub async fn ledger(State(state): State<AppState>, _: Admin) -> ApiResult {
    let ledger = state.store.ledger().await?;
    Bunq::items(vec![Item::LedgerCheck(render_ledger(&ledger))])
}
