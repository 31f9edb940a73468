//! Provisioning: provisions and their steps (the state machine's transitions as stored, their
//! side effects and history), the job queue that moves them on, and the partner's OAuth
//! clients.

mod events;
mod oauth;
mod provisions;
pub(crate) mod rows;
pub(crate) mod steps;
