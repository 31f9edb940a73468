//! The partner user provision: bunq's lifecycle (spec D.7) and what each step fills in.
//!
//! Design: `state` holds the lifecycle as types. A provision's [`state::Phase`] is read from
//! storage; the only way from one phase to another is a method that consumes the current
//! phase's struct, so a transition the table does not allow cannot be written. Each transition
//! is persisted as a compare-and-set on the stored (status, sub_status) pair, so a transition
//! computed from a stale read simply does not apply.
//!
//! `plan` turns a transition into data (a [`plan::Step`]): the new state, the side effects and
//! the follow-up job. The store executes a step in one transaction; the worker and the HTTP
//! handlers only decide which step to take.

pub mod consent;
pub mod enums;
pub mod oauth;
pub mod plan;
pub mod record;
pub mod request;
pub mod state;

pub use enums::{ActionRequired, CredentialStatus, Product, Status, SubStatus, UserVerifiedType};
