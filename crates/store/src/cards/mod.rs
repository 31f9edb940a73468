//! Cards: ordering and changing cards, their secrets, card transactions on the ledger, 3DS
//! challenges, and the card timers. From the bottom up:
//!
//! - `card_rows` and `action_rows`: a card and a card transaction as stored, with their
//!   webhooks; `spending`: a card's spending of the day; `timers`: scheduling a card timer.
//! - `authorization`: deciding and recording an authorisation.
//! - `settlement` (reversal and settlement), `challenges` (3DS, the `ChallengeStore`),
//!   `secrets` (PAN and CVC2s, the `CardSecretStore`), over `sealing` (secrets at rest).
//! - `actions`: the `CardTransactionStore`.
//! - `lifecycle`: the `CardStore` (ordering, changing, a physical card's order steps) and the
//!   card timers' runner, which reaches `secrets` and `challenges`.
//! - `ending`: a provision's end ends its user's cards and pending challenges.
//!
//! Boundary: imports `banking` (`accounts`, `ledger`), `webhooks` (the outbox) and the common
//! modules. `provisioning` imports `ending` (a provision's end is the cards' end too); nothing
//! else imports it.

mod action_rows;
mod actions;
mod authorization;
mod card_rows;
mod challenges;
pub(crate) mod ending;
mod lifecycle;
mod sealing;
mod secrets;
mod settlement;
mod spending;
mod timers;
