//! Provisioning: provisions and their state machine as stored, and the partner's OAuth
//! clients.
//!
//! - `provisions`: the `ProvisionStore`.
//! - `steps`: a step applied inside a transaction (the compare-and-set on the stored state,
//!   the side effects, the history, the follow-up job), and the other changes of a provision;
//!   on PostgreSQL, the steps of many provisions that make the same change at once.
//! - `effects`: the set form of those effects, for many provisions in one statement.
//! - `events`: the provision's webhook, rendered here and queued in the outbox.
//! - `rows`: provisions and their history as stored; `read` reads one inside a transaction.
//! - `oauth`: the `OauthStore`.
//! - `grants`: the `OauthGrantStore`: consent codes and the grants they become (issue 19).
//!
//! Boundary: imports `webhooks` (the outbox) and the common modules. Exports `steps` and
//! `rows` to the folders above (`onboarding`, `context`). The job queue is scheduled here
//! (`steps::schedule`) but run from `onboarding/jobs.rs`: some of a job's outcomes are
//! onboarding's.

mod effects;
mod events;
mod grants;
mod oauth;
mod provisions;
pub(crate) mod rows;
pub(crate) mod steps;
