//! Cards: `POST /user/{user_id}/card-debit|card-credit`, `GET /user/{user_id}/card[/{card_id}]`,
//! `PUT …/card/{card_id}`, the PAN and CVC2 routes, card transactions
//! (`…/monetary-account/{id}/mastercard-action[/{action_id}]`), 3DS challenges
//! (`/user/{user_id}/challenge-request[/{id}]`), and the operator's card network under
//! `/_provisio/`. Cards belong to the same owners as accounts (see `AccountOwner`).
//!
//! The PAN and CVC2s are secrets: in `strict` they are only ever answered to a request that
//! came encrypted (bunq's application-layer encryption, which answers encrypted too), and they
//! are never logged (the access and request logs keep routes and paths, never bodies).

use std::collections::HashMap;

use axum::{
    extract::{FromRequest, FromRequestParts, OriginalUri, Query, Request, State},
    http::request::Parts,
    routing::{get, post},
    Extension, Router,
};
use provisio_core::{
    card::{
        action::{challenge_answer, ChallengeStatus},
        rules, CardKind, Cvc2Type,
    },
    model::{CardId, ChallengeId, Cvc2Id, MasterCardActionId, MonetaryAccountId},
    store::AuthorizationOutcome,
    text,
};
use provisio_wire::{
    cards::{
        card_item, challenge, cvc2, mastercard_action, AuthorizeRequest, CardPrimaryAccountNumber,
        CardRequest, ChallengeAnswerRequest, Cvc2Request,
    },
    Item,
};
use serde::de::DeserializeOwned;

use super::{accounts::AccountPath, admin::Admin};
use crate::{
    cards as network,
    http::{
        encryption::ClientEncrypted,
        error::ApiError,
        extract::{signed_bytes, Json, PathId},
        pagination::Paging,
        respond::{ApiResult, Bunq},
        scope::{path_id, AccountOwner},
    },
    AppState, Profile,
};

/// bunq's card routes, to merge into `/v1`.
pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/user/{user_id}/card-debit", post(create_debit))
        .route("/user/{user_id}/card-credit", post(create_credit))
        .route("/user/{user_id}/card", get(list))
        .route("/user/{user_id}/card/{card_id}", get(get_card).put(update))
        .route(
            "/user/{user_id}/card/{card_id}/primary-account-number",
            post(reveal_pan),
        )
        .route(
            "/user/{user_id}/card/{card_id}/generated-cvc2",
            post(create_cvc2).get(list_cvc2),
        )
        .route(
            "/user/{user_id}/card/{card_id}/generated-cvc2/{id}",
            get(get_cvc2).put(update_cvc2),
        )
        .route(
            "/user/{user_id}/monetary-account/{id}/mastercard-action",
            get(list_actions),
        )
        .route(
            "/user/{user_id}/monetary-account/{id}/mastercard-action/{action_id}",
            get(get_action),
        )
        .route("/user/{user_id}/challenge-request", get(list_challenges))
        .route(
            "/user/{user_id}/challenge-request/{id}",
            get(get_challenge).put(answer_challenge),
        )
}

/// The operator's card network, to merge into `/_provisio`.
pub fn operator() -> Router<AppState> {
    Router::new()
        .route("/cards/{id}/authorize", post(authorize))
        .route("/mastercard-actions/{id}/reverse", post(reverse))
        .route("/mastercard-actions/{id}/settle", post(settle))
}

/// The `{card_id}` path segment.
pub struct CardPath(CardId);

impl<S: Send + Sync> FromRequestParts<S> for CardPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(CardPath(CardId(path_id(parts, "card_id").await?)))
    }
}

/// A JSON body that may also be empty (bunq's clients send none, or an encrypted empty one, to
/// the PAN and CVC2 routes). Its signature is verified when sent.
pub struct OptionalJson<T>(T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let limit = state.config.body_limit;
        let bytes = signed_bytes(&parts, body, state, limit, "The request body", false).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(T::default()));
        }
        serde_json::from_slice(&bytes)
            .map(OptionalJson)
            .map_err(|_| ApiError::bad_request("The request body must be a JSON object."))
    }
}

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
    state.changed();
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
    state.changed();
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
    state.changed();
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
    state.changed();
    Bunq::items(vec![Item::CardGeneratedCvc2(cvc2(&changed))])
}

/// The `{action_id}` path segment.
pub struct ActionPath(MasterCardActionId);

impl<S: Send + Sync> FromRequestParts<S> for ActionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ActionPath(MasterCardActionId(
            path_id(parts, "action_id").await?,
        )))
    }
}

async fn own_account(
    state: &AppState,
    owner: &AccountOwner,
    account: MonetaryAccountId,
) -> Result<(), ApiError> {
    state
        .store
        .account(owner.user.id, account)
        .await?
        .map(drop)
        .ok_or_else(|| ApiError::not_found("MonetaryAccount not found."))
}

pub async fn list_actions(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    paging: Paging,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    own_account(&state, &owner, account).await?;
    let page = state
        .store
        .mastercard_actions(owner.user.id, account, paging.query)
        .await?;
    let links = paging.links(uri.path(), &page, |a| a.id.0);
    Bunq::page(
        page.items
            .iter()
            .map(|a| Item::MasterCardAction(mastercard_action(a)))
            .collect(),
        links,
    )
}

pub async fn get_action(
    State(state): State<AppState>,
    owner: AccountOwner,
    AccountPath(account): AccountPath,
    ActionPath(id): ActionPath,
) -> ApiResult {
    let found = state
        .store
        .mastercard_action(owner.user.id, account, id)
        .await?
        .ok_or_else(|| ApiError::not_found("MasterCardAction not found."))?;
    Bunq::items(vec![Item::MasterCardAction(mastercard_action(&found))])
}

fn challenge_item(c: &provisio_core::card::action::Challenge) -> Item {
    Item::MasterCardIdentityCheckChallengeRequest(challenge(c))
}

/// `GET …/challenge-request?status=PENDING,EXPIRED` (a comma list), newest first.
pub async fn list_challenges(
    State(state): State<AppState>,
    owner: AccountOwner,
    paging: Paging,
    Query(params): Query<HashMap<String, String>>,
    OriginalUri(uri): OriginalUri,
) -> ApiResult {
    let statuses = match params.get("status").filter(|s| !s.is_empty()) {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(|s| {
                ChallengeStatus::parse(s.trim()).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "status must be a comma-separated list of PENDING, ACCEPTED, REJECTED, EXPIRED; got {}.",
                        text::quoted(s)
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let page = state
        .store
        .challenges(owner.user.id, &statuses, paging.query)
        .await?;
    let carried: Vec<(&str, String)> = if statuses.is_empty() {
        Vec::new()
    } else {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        vec![("status", names.join(","))]
    };
    let links = paging.links_with(uri.path(), &carried, &page, |c| c.id.0);
    Bunq::page(page.items.iter().map(challenge_item).collect(), links)
}

pub async fn get_challenge(
    State(state): State<AppState>,
    owner: AccountOwner,
    PathId(id): PathId,
) -> ApiResult {
    let found = state
        .store
        .challenge(owner.user.id, ChallengeId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("MasterCardIdentityCheckChallengeRequest not found."))?;
    Bunq::items(vec![challenge_item(&found)])
}

/// The user's answer; bunq answers the challenge's `Id`.
pub async fn answer_challenge(
    State(state): State<AppState>,
    owner: AccountOwner,
    PathId(id): PathId,
    Json(body): Json<ChallengeAnswerRequest>,
) -> ApiResult {
    let answer = challenge_answer(body.status.as_deref())?;
    let answered = state
        .store
        .answer_challenge(owner.user.id, ChallengeId(id), answer, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("MasterCardIdentityCheckChallengeRequest not found."))?;
    state.changed();
    Bunq::id(answered.id.0)
}

/// provisio's operator API: a merchant's authorisation on card `{id}`; answers the
/// `MasterCardAction` (approved or declined), or the challenge the user must answer first.
pub async fn authorize(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    Json(body): Json<AuthorizeRequest>,
) -> ApiResult {
    let outcome = network::authorize(
        state.store.as_ref(),
        state.clock.as_ref(),
        CardId(id),
        &body.into(),
    )
    .await?;
    state.changed();
    Bunq::items(vec![match outcome {
        AuthorizationOutcome::Action(a) => Item::MasterCardAction(mastercard_action(&a)),
        AuthorizationOutcome::Challenge(c) => challenge_item(&c),
    }])
}

pub async fn reverse(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let action = network::reverse(
        state.store.as_ref(),
        state.clock.as_ref(),
        MasterCardActionId(id),
    )
    .await?;
    state.changed();
    Bunq::items(vec![Item::MasterCardAction(mastercard_action(&action))])
}

pub async fn settle(State(state): State<AppState>, _: Admin, PathId(id): PathId) -> ApiResult {
    let action = network::settle(
        state.store.as_ref(),
        state.clock.as_ref(),
        MasterCardActionId(id),
    )
    .await?;
    state.changed();
    Bunq::items(vec![Item::MasterCardAction(mastercard_action(&action))])
}
