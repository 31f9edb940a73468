//! Onboarding a provisioned user: the onboarding and its fulfillments, identity verification
//! (sessions, attachments, documents) and compliance inquiries, all decided by `settle`.

mod inquiries;
pub(crate) mod settle;
pub(crate) mod verification;
