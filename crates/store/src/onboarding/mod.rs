//! Onboarding a provisioned user: the onboarding and its fulfillments, identity verification
//! (sessions, attachments, documents) and compliance inquiries, all decided by `settle`.

mod fulfillments;
mod inquiries;
mod jobs;
mod settle;
mod verification;
