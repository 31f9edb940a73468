//! Cards, their secrets, card transactions and 3DS challenges.

use async_trait::async_trait;

use crate::{
    card::{
        action::{Authorization, Challenge, ChallengeStatus, MasterCardAction},
        Card, CardUpdate, Cvc2, Cvc2Type, NewCard,
    },
    idempotency::IdempotencyKey,
    model::{
        CardId, ChallengeId, Cvc2Id, MasterCardActionId, MonetaryAccountId, Page, PageQuery, UserId,
    },
    sealing::SealingKey,
    time::Timestamp,
};

use super::StoreResult;

/// What an authorisation came to: a card transaction (approved or declined), or a challenge
/// the user must answer first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationOutcome {
    Action(MasterCardAction),
    Challenge(Challenge),
}

/// Cards of partners and provisioned users.
#[async_trait]
pub trait CardStore: Send + Sync {
    /// Orders a card with a fresh, unique PAN, paying from the user's named ACTIVE account
    /// (its oldest ACTIVE one when none is named); a physical card's first order step is
    /// scheduled. Refused (`Refused`, `UserFrozen`) inside the write.
    async fn create_card(
        &self,
        user: UserId,
        card: &NewCard,
        owner_name: &str,
        now: Timestamp,
    ) -> StoreResult<Card>;
    async fn card(&self, user: UserId, id: CardId) -> StoreResult<Option<Card>>;
    async fn cards(&self, user: UserId, page: PageQuery) -> StoreResult<Page<Card>>;
    /// Applies `update` by `card::rules::apply` to the card as the write finds it (locked).
    async fn update_card(
        &self,
        user: UserId,
        id: CardId,
        update: &CardUpdate,
        now: Timestamp,
    ) -> StoreResult<Option<Card>>;
    /// Runs the card timers due at `now` (order steps, CVC2 and challenge expiry), at most
    /// `limit`, each in the transaction that removes it. Answers how many ran.
    async fn run_card_timers(&self, now: Timestamp, limit: u32) -> StoreResult<usize>;
    /// When the next card timer is due.
    async fn next_card_timer_at(&self) -> StoreResult<Option<Timestamp>>;
}

/// Card transactions and 3DS challenges.
#[async_trait]
pub trait CardTransactionStore: Send + Sync {
    /// A merchant's authorisation on card `card` (any user's: the operator acts as the card
    /// network), in one transaction: the card's status and limit and the account's status and
    /// balance are checked, and an approved one debits the account (conditionally, as a
    /// payment) and records the action; a declined one is recorded and moves nothing. With
    /// `identity_check` a challenge is created instead. `None` for an unknown card. A user
    /// whose provision is over is refused (`UserFrozen`).
    async fn authorize(
        &self,
        card: CardId,
        authorization: &Authorization,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<AuthorizationOutcome>>;
    /// Reverses an authorised, unsettled action: the money goes back to the account.
    async fn reverse(
        &self,
        action: MasterCardActionId,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MasterCardAction>>;
    /// Settles an authorised action (clearing complete); no money moves.
    async fn settle(
        &self,
        action: MasterCardActionId,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<MasterCardAction>>;
    async fn mastercard_action(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: MasterCardActionId,
    ) -> StoreResult<Option<MasterCardAction>>;
    async fn mastercard_actions(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<MasterCardAction>>;
}

/// A card's secrets: its PAN and CVC2s, for the card's owner only.
#[async_trait]
pub trait CardSecretStore: Send + Sync {
    /// Takes the key that seals PANs and CVC2s at rest (see `crate::sealing`), then seals under
    /// it every stored one that is not yet: plain ones (written before sealing existed) and
    /// ones sealed with `previous`. Idempotent; returns how many values it sealed. Refused when
    /// a stored value was sealed with a key that is neither, so a wrong key fails at start.
    async fn seal_card_secrets(
        &self,
        key: std::sync::Arc<SealingKey>,
        previous: Option<std::sync::Arc<SealingKey>>,
    ) -> StoreResult<u64>;
    /// The card's PAN, for its owner.
    async fn card_pan(&self, user: UserId, id: CardId) -> StoreResult<Option<String>>;
    /// A new CVC2 for the user's card (a GENERATED one expires by a timer).
    async fn create_cvc2(
        &self,
        user: UserId,
        card: CardId,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>>;
    async fn cvc2(&self, user: UserId, card: CardId, id: Cvc2Id) -> StoreResult<Option<Cvc2>>;
    async fn cvc2s(&self, user: UserId, card: CardId, page: PageQuery) -> StoreResult<Page<Cvc2>>;
    /// Changes a CVC2's type (a STATIC one no longer expires; a GENERATED one gets an expiry).
    async fn update_cvc2(
        &self,
        user: UserId,
        card: CardId,
        id: Cvc2Id,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>>;
}

/// 3DS challenges.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    async fn challenge(&self, user: UserId, id: ChallengeId) -> StoreResult<Option<Challenge>>;
    async fn challenges(
        &self,
        user: UserId,
        statuses: &[ChallengeStatus],
        page: PageQuery,
    ) -> StoreResult<Page<Challenge>>;
    /// The user's answer to a PENDING challenge: an acceptance runs the waiting authorisation,
    /// a rejection records it declined. A challenge no longer PENDING is `Refused`.
    async fn answer_challenge(
        &self,
        user: UserId,
        id: ChallengeId,
        answer: ChallengeStatus,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Challenge>>;
}
