//! Card transactions and 3DS challenges as the card's owner reads and answers them, and the
//! operator's card network (`/_provisio/cards/{id}/authorize`,
//! `/_provisio/mastercard-actions/{id}/reverse|settle`), which acts as any merchant would.

use crate::http::scope::path_segment;
use std::collections::HashMap;

use axum::extract::{OriginalUri, Query, State};
use provisio_core::{
    card::action::{challenge_answer, Challenge, ChallengeStatus},
    model::{CardId, ChallengeId, MasterCardActionId, MonetaryAccountId},
    store::AuthorizationOutcome,
    text,
};
use provisio_wire::{
    cards::{challenge, mastercard_action, AuthorizeRequest, ChallengeAnswerRequest},
    Item,
};

use crate::{
    banking::routes::accounts::AccountPath,
    cards::network,
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
    /// The `{action_id}` path segment.
    pub struct ActionPath(MasterCardActionId) = "action_id"
);

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

fn challenge_item(c: &Challenge) -> Item {
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
    idempotency: Idempotency,
    Json(body): Json<ChallengeAnswerRequest>,
) -> ApiResult {
    let answer = challenge_answer(body.status.as_deref())?;
    let once = idempotency.key(&body);
    let answered = state
        .store
        .answer_challenge(
            owner.user.id,
            ChallengeId(id),
            answer,
            state.clock.now(),
            once.as_ref(),
        )
        .await?
        .ok_or_else(|| ApiError::not_found("MasterCardIdentityCheckChallengeRequest not found."))?;
    state.webhooks_queued();
    Bunq::id(answered.id.0)
}

/// provisio's operator API: a merchant's authorisation on card `{id}`; answers the
/// `MasterCardAction` (approved or declined), or the challenge the user must answer first.
pub async fn authorize(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    idempotency: Idempotency,
    Json(body): Json<AuthorizeRequest>,
) -> ApiResult {
    let once = idempotency.key(&body);
    let outcome = network::authorize(
        state.store.as_ref(),
        state.clock.as_ref(),
        CardId(id),
        &body.into(),
        once.as_ref(),
    )
    .await?;
    state.webhooks_queued();
    Bunq::items(vec![match outcome {
        AuthorizationOutcome::Action(a) => Item::MasterCardAction(mastercard_action(&a)),
        AuthorizationOutcome::Challenge(c) => challenge_item(&c),
    }])
}

pub async fn reverse(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    idempotency: Idempotency,
) -> ApiResult {
    let action = network::reverse(
        state.store.as_ref(),
        state.clock.as_ref(),
        MasterCardActionId(id),
        idempotency.key(&()).as_ref(),
    )
    .await?;
    state.webhooks_queued();
    Bunq::items(vec![Item::MasterCardAction(mastercard_action(&action))])
}

pub async fn settle(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
    idempotency: Idempotency,
) -> ApiResult {
    let action = network::settle(
        state.store.as_ref(),
        state.clock.as_ref(),
        MasterCardActionId(id),
        idempotency.key(&()).as_ref(),
    )
    .await?;
    state.webhooks_queued();
    Bunq::items(vec![Item::MasterCardAction(mastercard_action(&action))])
}
