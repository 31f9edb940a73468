//! The storage seam. The server talks to `dyn Store`; `provisio-store` implements it on SQLite
//! and PostgreSQL, and one contract test suite holds both to the same behaviour.

mod banking;
mod cards;
mod context;
mod feed;
mod onboarding;
mod provisioning;
mod sandbox;
mod search;
mod webhooks;

pub use banking::{
    BatchStore, BunqMeTabStore, MonetaryAccountStore, PaymentNoteStore, PaymentStore, RequestStore,
    ScheduleStore,
};
pub use cards::{
    AuthorizationOutcome, CardSecretStore, CardStore, CardTransactionStore, ChallengeStore,
};
pub use context::{ContextStore, PartnerStore, SandboxUserStore, ServerKeyStore};
pub use feed::EventStore;
pub use onboarding::{InquiryStore, OnboardingStore, PublicAttachmentStore, VerificationStore};
pub use provisioning::{
    JobStore, OauthGrantStore, OauthStore, ProvisionStore, NO_USABLE_OAUTH_CLIENT,
};
pub use sandbox::{DashboardSessionLimits, Figures, FiguresStore, SandboxStore, WorkerPoll};
pub use search::{
    CardTransactionRow, Hit, HitKind, OwnedRow, OwnerFilter, SearchStore, UserDelivery, UserFilter,
    UserSummary, MAX_HITS,
};
pub use webhooks::WebhookStore;

use crate::StoreError;

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything provisio stores.
pub trait Store:
    ServerKeyStore
    + PartnerStore
    + SandboxUserStore
    + ContextStore
    + OauthStore
    + OauthGrantStore
    + ProvisionStore
    + JobStore
    + WebhookStore
    + OnboardingStore
    + VerificationStore
    + InquiryStore
    + FiguresStore
    + SandboxStore
    + SearchStore
    + MonetaryAccountStore
    + PaymentStore
    + RequestStore
    + BunqMeTabStore
    + BatchStore
    + ScheduleStore
    + CardStore
    + CardTransactionStore
    + CardSecretStore
    + ChallengeStore
    + EventStore
    + PaymentNoteStore
    + PublicAttachmentStore
{
}

impl<T> Store for T where
    T: ServerKeyStore
        + PartnerStore
        + SandboxUserStore
        + ContextStore
        + OauthStore
        + OauthGrantStore
        + ProvisionStore
        + JobStore
        + WebhookStore
        + OnboardingStore
        + VerificationStore
        + InquiryStore
        + FiguresStore
        + SandboxStore
        + SearchStore
        + MonetaryAccountStore
        + PaymentStore
        + RequestStore
        + BunqMeTabStore
        + BatchStore
        + ScheduleStore
        + CardStore
        + CardTransactionStore
        + CardSecretStore
        + ChallengeStore
        + EventStore
        + PaymentNoteStore
        + PublicAttachmentStore
{
}
