//! Cards: `POST /user/{user_id}/card-debit|card-credit`, `GET /user/{user_id}/card[/{card_id}]`,
//! `PUT …/card/{card_id}`, the PAN and CVC2 routes (card transactions
//! (`…/monetary-account/{id}/mastercard-action[/{action_id}]`), 3DS challenges
//! (`/user/{user_id}/challenge-request[/{id}]`) and the operator's card network under
//! `/_provisio/` are in `transactions`). Cards belong to the same owners as accounts (see `AccountOwner`).
//!
//! The PAN and CVC2s are secrets: in `strict` they are only ever answered to a request that
//! came encrypted (bunq's application-layer encryption, which answers encrypted too), and they
//! are never logged (the access and request logs keep routes and paths, never bodies).

use crate::http::scope::path_segment;
use axum::{
    extract::{OriginalUri, State},
    Extension,
};
use provisio_core::{
    card::{rules, CardKind, Cvc2Type},
    model::{CardId, Cvc2Id, UserKind},
    sandbox_user::{first_and_last, SandboxUserKind},
    text,
};
use provisio_wire::{
    cards::{
        card_item, cvc2, CardPrimaryAccountNumber, CardRequest, CardUserNameArray, Cvc2Request,
    },
    Item,
};

use crate::{
    http::{
        encryption::ClientEncrypted,
        error::ApiError,
        extract::{Json, OptionalJson, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::AccountOwner,
    },
    AppState, Profile,
};

path_segment!(
    /// The `{card_id}` path segment.
    pub struct CardPath(CardId) = "card_id"
);

fn card_not_found() -> ApiError {
    ApiError::not_found("Card not found.")
}

/// In `strict`, a PAN or CVC2 goes out only in an encrypted answer.
fn secrets_allowed(
    state: &AppState,
    encrypted: Option<Extension<ClientEncrypted>>,
) -> Result<(), ApiError> {
    if state.config.profile == Profile::Strict && encrypted.is_none() {
        return Err(ApiError::bad_request(
            "This call reveals card details and must be encrypted (X-Bunq-Client-Encryption-Key, -Iv and -Hmac), as bunq requires.",
        ));
    }
    Ok(())
}

async fn create(
    state: &AppState,
    owner: &AccountOwner,
    kind: CardKind,
    body: CardRequest,
) -> ApiResult {
    let new = rules::new_card(kind, &body.into())?;
    let card = state
        .store
        .create_card(owner.user.id, &new, &owner.user.name, state.clock.now())
        .await?;
    state.webhooks_queued();
    Bunq::items(vec![card_item(&card)])
}

pub async fn create_debit(
    State(state): State<AppState>,
    owner: AccountOwner,
    Json(body): Json<CardRequest>,
) -> ApiResult {
    create(&state, &owner, CardKind::Debit, body).await
}

pub async fn create_credit(
    State(state): State<AppState>,
    owner: AccountOwner,
    Json(body): Json<CardRequest>,
) -> ApiResult {
    create(&state, &owner, CardKind::Credit, body).await
}

/// `GET /user/{user_id}/card-name`: the names the user's cards may carry (bunq's
/// `CardUserNameArray`), from its name: a sandbox person's first and last name, a provisioned
/// person's name (first word, then the rest), a company's name as it is.
pub async fn names(State(state): State<AppState>, owner: AccountOwner) -> ApiResult {
    let user = &owner.user;
    let person = match state.store.sandbox_user(user.id).await? {
        Some(sandbox) => sandbox.kind == SandboxUserKind::Person,
        None => user.kind == UserKind::Person,
    };
    let (first, last) = if person {
        first_and_last(&user.name)
    } else {
        ("", user.name.as_str())
    };
    Bunq::items(vec![Item::CardUserNameArray(CardUserNameArray {
        possible_card_name_array: rules::possible_card_names(first, last),
    })])
}

pub async fn list(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let page = state.store.cards(owner.user.id, paging.query).await?;
    let links = paging.links(uri.path(), &page, |c| c.id.0);
    Bunq::page(page.items.iter().map(card_item).collect(), links)
}

pub async fn get_card(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(id): CardPath,
) -> ApiResult {
    let card = state
        .store
        .card(owner.user.id, id)
        .await?
        .ok_or_else(card_not_found)?;
    Bunq::items(vec![card_item(&card)])
}

pub async fn update(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(id): CardPath,
    Json(body): Json<CardRequest>,
) -> ApiResult {
    let change = rules::update(&body.into())?;
    let card = state
        .store
        .update_card(owner.user.id, id, &change, state.clock.now())
        .await?
        .ok_or_else(card_not_found)?;
    state.webhooks_queued();
    Bunq::items(vec![card_item(&card)])
}

pub async fn reveal_pan(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(id): CardPath,
    encrypted: Option<Extension<ClientEncrypted>>,
    OptionalJson(_): OptionalJson<serde_json::Value>,
) -> ApiResult {
    secrets_allowed(&state, encrypted)?;
    let pan = state
        .store
        .card_pan(owner.user.id, id)
        .await?
        .ok_or_else(card_not_found)?;
    Bunq::items(vec![Item::CardPrimaryAccountNumber(
        CardPrimaryAccountNumber {
            primary_account_number: pan,
        },
    )])
}

fn cvc2_type(body: &Cvc2Request) -> Result<Cvc2Type, ApiError> {
    match body.kind.as_deref() {
        None => Ok(Cvc2Type::Generated),
        Some(kind) => Cvc2Type::parse(kind).ok_or_else(|| {
            ApiError::bad_request(format!(
                "type must be STATIC or GENERATED; got {}.",
                text::quoted(kind)
            ))
        }),
    }
}

pub async fn create_cvc2(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(card): CardPath,
    encrypted: Option<Extension<ClientEncrypted>>,
    OptionalJson(body): OptionalJson<Cvc2Request>,
) -> ApiResult {
    secrets_allowed(&state, encrypted)?;
    let kind = cvc2_type(&body)?;
    let made = state
        .store
        .create_cvc2(owner.user.id, card, kind, state.clock.now())
        .await?
        .ok_or_else(card_not_found)?;
    state.webhooks_queued();
    Bunq::items(vec![Item::CardGeneratedCvc2(cvc2(&made))])
}

pub async fn list_cvc2(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(card): CardPath,
    encrypted: Option<Extension<ClientEncrypted>>,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    secrets_allowed(&state, encrypted)?;
    state
        .store
        .card(owner.user.id, card)
        .await?
        .ok_or_else(card_not_found)?;
    let page = state.store.cvc2s(owner.user.id, card, paging.query).await?;
    let links = paging.links(uri.path(), &page, |c| c.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|c| Item::CardGeneratedCvc2(cvc2(c)))
            .collect(),
        links,
    )
}

pub async fn get_cvc2(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(card): CardPath,
    PathId(id): PathId,
    encrypted: Option<Extension<ClientEncrypted>>,
) -> ApiResult {
    secrets_allowed(&state, encrypted)?;
    let found = state
        .store
        .cvc2(owner.user.id, card, Cvc2Id(id))
        .await?
        .ok_or_else(|| ApiError::not_found("CardGeneratedCvc2 not found."))?;
    Bunq::items(vec![Item::CardGeneratedCvc2(cvc2(&found))])
}

pub async fn update_cvc2(
    State(state): State<AppState>,
    owner: AccountOwner,
    CardPath(card): CardPath,
    PathId(id): PathId,
    encrypted: Option<Extension<ClientEncrypted>>,
    OptionalJson(body): OptionalJson<Cvc2Request>,
) -> ApiResult {
    secrets_allowed(&state, encrypted)?;
    if body.kind.is_none() {
        return Err(ApiError::bad_request(
            "type is required (STATIC or GENERATED).",
        ));
    }
    let kind = cvc2_type(&body)?;
    let changed = state
        .store
        .update_cvc2(owner.user.id, card, Cvc2Id(id), kind, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("CardGeneratedCvc2 not found."))?;
    state.webhooks_queued();
    Bunq::items(vec![Item::CardGeneratedCvc2(cvc2(&changed))])
}
