//! Cards: ordering and changing cards, their secrets (PAN, CVC2s), card transactions
//! (authorisation, reversal, settlement) on the ledger, 3DS challenges, and the card timers.

mod action_rows;
mod actions;
mod authorization;
mod card_rows;
mod challenges;
mod lifecycle;
mod secrets;
mod settlement;
mod spending;
mod timers;
