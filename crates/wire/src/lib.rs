//! bunq's wire format, in one place: envelopes, the objects inside them, header names,
//! timestamps and request bodies. The server renders with these types and the client parses
//! with them, so the two cannot drift apart.
//!
//! Each type also derives its OpenAPI schema (utoipa's `ToSchema`, serde's renames honoured).
//! An `Option` field that is always rendered, as `null` when empty, says so with
//! `#[schema(required = true)]`; one with `skip_serializing_if` is left out instead, so the
//! schema does not require it.

pub mod accounts;
pub mod batches;
pub mod bunqme;
pub mod card_transactions;
pub mod cards;
pub mod envelope;
pub mod feed;
pub mod headers;
pub mod kyc;
pub mod money_requests;
pub mod objects;
pub mod operator;
pub mod payments;
pub mod public_attachments;
pub mod render;
pub mod requests;
pub mod schedules;
pub mod time;

pub use envelope::{ErrorEnvelope, ErrorItem, Item, Pagination, ResponseEnvelope};
