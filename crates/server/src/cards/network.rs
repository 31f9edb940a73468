//! Card transactions as the operator simulates them (shared by the operator API and
//! `provisio card …`): a merchant's authorisation, its reversal and settlement.

use provisio_core::{
    card::action::{authorization, AuthorizationInput, MasterCardAction},
    idempotency::IdempotencyKey,
    model::{CardId, MasterCardActionId},
    store::{AuthorizationOutcome, Store},
    time::Clock,
    DomainError,
};

/// A merchant's authorisation on `card`. With `once`, a retry answers the first outcome (see
/// `provisio_core::idempotency`); so do the reversal and the settlement.
pub async fn authorize(
    store: &dyn Store,
    clock: &dyn Clock,
    card: CardId,
    input: &AuthorizationInput,
    once: Option<&IdempotencyKey>,
) -> Result<AuthorizationOutcome, DomainError> {
    let auth = authorization(input)?;
    store
        .authorize(card, &auth, clock.now(), once)
        .await?
        .ok_or_else(|| DomainError::not_found("Card"))
}

/// Reverses an authorised, unsettled card transaction: the money goes back.
pub async fn reverse(
    store: &dyn Store,
    clock: &dyn Clock,
    action: MasterCardActionId,
    once: Option<&IdempotencyKey>,
) -> Result<MasterCardAction, DomainError> {
    store
        .reverse(action, clock.now(), once)
        .await?
        .ok_or_else(|| DomainError::not_found("MasterCardAction"))
}

/// Settles an authorised card transaction.
pub async fn settle(
    store: &dyn Store,
    clock: &dyn Clock,
    action: MasterCardActionId,
    once: Option<&IdempotencyKey>,
) -> Result<MasterCardAction, DomainError> {
    store
        .settle(action, clock.now(), once)
        .await?
        .ok_or_else(|| DomainError::not_found("MasterCardAction"))
}
