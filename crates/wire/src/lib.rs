//! bunq's wire format, in one place: envelopes, the objects inside them, header names,
//! timestamps and request bodies. The server renders with these types and the client parses
//! with them, so the two cannot drift apart.

pub mod accounts;
pub mod card_transactions;
pub mod cards;
pub mod envelope;
pub mod headers;
pub mod kyc;
pub mod objects;
pub mod operator;
pub mod payments;
pub mod render;
pub mod requests;
pub mod time;

pub use envelope::{ErrorEnvelope, ErrorItem, Item, Pagination, ResponseEnvelope};
