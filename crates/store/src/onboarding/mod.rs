//! Onboarding a provisioned user, all decided by `settle`.
//!
//! - `settle`: the onboarding as stored, the facts it is decided on, and `settle`, which
//!   applies the onboarding rules and moves a provision waiting for the decision.
//! - `fulfillments`: the `OnboardingStore` (the onboarding, its fulfillments, a decision).
//! - `inquiries`: compliance inquiries (the `InquiryStore`).
//! - `verification`: identity verification, attachments and documents (the
//!   `VerificationStore`).
//! - `public_attachments`: public images and avatars (the `PublicAttachmentStore`).
//! - `jobs`: the provision job runner (the `JobStore`). It sits here, above provisioning,
//!   because a job's outcome may settle an onboarding or review an identity verification.
//!
//! Boundary: imports `provisioning` (`steps`, `rows`), `webhooks` (the outbox) and the common
//! modules. Nothing imports it.

mod fulfillments;
mod inquiries;
mod jobs;
mod public_attachments;
mod settle;
mod verification;
