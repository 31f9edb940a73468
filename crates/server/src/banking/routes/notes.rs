//! Notes on a payment (bunq `NoteTextPayment`):
//! `POST/GET …/monetary-account/{id}/payment/{payment_id}/note-text` and
//! `GET/PUT/DELETE …/note-text/{note_text_id}`. A note is the payment owner's; another user's
//! payment or note is not found.

use crate::http::scope::path_segment;
use axum::extract::{OriginalUri, State};
use provisio_core::account::note::note_content;
use provisio_wire::{
    feed::{note_text, NoteTextRequest},
    Item,
};

use super::{accounts::AccountPath, payments::PaymentPath};
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
    /// The `{note_text_id}` path segment.
    pub struct NotePath(i64) = "note_text_id"
);

fn payment_not_found() -> ApiError {
    ApiError::not_found("Payment not found.")
}

fn note_not_found() -> ApiError {
    ApiError::not_found("NoteTextPayment not found.")
}

pub async fn create(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(payment): PaymentPath,
    Json(body): Json<NoteTextRequest>,
) -> ApiResult {
    let content = note_content(body.content.as_deref())?;
    let note = state
        .store
        .add_note(owner.user.id, account, payment, &content, state.clock.now())
        .await?
        .ok_or_else(payment_not_found)?;
    Bunq::id(note.id)
}

pub async fn list(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(payment): PaymentPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let page = state
        .store
        .notes(owner.user.id, account, payment, paging.query)
        .await?
        .ok_or_else(payment_not_found)?;
    let links = paging.links(uri.path(), &page, |n| n.id);
    Bunq::page(
        page.items
            .iter()
            .map(|n| Item::NoteTextPayment(note_text(n)))
            .collect(),
        links,
    )
}

pub async fn get(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(payment): PaymentPath,
    NotePath(id): NotePath,
) -> ApiResult {
    let note = state
        .store
        .note(owner.user.id, account, payment, id)
        .await?
        .ok_or_else(note_not_found)?;
    Bunq::items(vec![Item::NoteTextPayment(note_text(&note))])
}

pub async fn update(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(payment): PaymentPath,
    NotePath(id): NotePath,
    Json(body): Json<NoteTextRequest>,
) -> ApiResult {
    let content = note_content(body.content.as_deref())?;
    let now = state.clock.now();
    let note = state
        .store
        .update_note(owner.user.id, account, payment, id, &content, now)
        .await?
        .ok_or_else(note_not_found)?;
    Bunq::id(note.id)
}

pub async fn delete(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    PaymentPath(payment): PaymentPath,
    NotePath(id): NotePath,
) -> ApiResult {
    if !state
        .store
        .delete_note(owner.user.id, account, payment, id)
        .await?
    {
        return Err(note_not_found());
    }
    Bunq::items(Vec::new())
}
