//! Card transactions as the operator simulates them (shared by the operator API and
//! `provisio card …`): a merchant's authorisation, its reversal and settlement.

use provisio_core::{
    card::action::{authorization, AuthorizationInput, MasterCardAction},
    model::{CardId, MasterCardActionId},
    store::{AuthorizationOutcome, Store},
    time::Clock,
    DomainError,
};

/// A merchant's authorisation on `card`.
pub async fn authorize(
    store: &dyn Store,
    clock: &dyn Clock,
    card: CardId,
    input: &AuthorizationInput,
) -> Result<AuthorizationOutcome, DomainError> {
    let auth = authorization(input)?;
    store
        .authorize(card, &auth, clock.now())
        .await?
        .ok_or_else(|| DomainError::not_found("Card"))
}

/// Reverses an authorised, unsettled card transaction: the money goes back.
pub async fn reverse(
    store: &dyn Store,
    clock: &dyn Clock,
    action: MasterCardActionId,
) -> Result<MasterCardAction, DomainError> {
    store
        .reverse(action, clock.now())
        .await?
        .ok_or_else(|| DomainError::not_found("MasterCardAction"))
}

/// Settles an authorised card transaction.
pub async fn settle(
    store: &dyn Store,
    clock: &dyn Clock,
    action: MasterCardActionId,
) -> Result<MasterCardAction, DomainError> {
    store
        .settle(action, clock.now())
        .await?
        .ok_or_else(|| DomainError::not_found("MasterCardAction"))
}
