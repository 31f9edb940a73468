//! provisio's domain: the rules of bunq's Partner API that do not depend on HTTP or SQL.
//!
//! Everything here is pure (or, for `store`, a trait): the server, the storage backends and
//! the client all build on these types, so a rule lives in exactly one place.

pub mod account;
pub mod attachment;
pub mod card;
pub mod crypto;
pub mod encryption;
pub mod error;
pub mod feed;
pub mod idempotency;
pub mod identity;
pub mod ids;
pub mod inquiry;
pub mod ip;
pub mod model;
pub mod onboarding;
pub mod provision;
pub mod public_attachment;
pub mod sandbox_user;
pub mod sealing;
pub mod secret;
pub mod store;
pub mod text;
pub mod time;
pub mod webhook;

pub use error::{DomainError, StoreError};
