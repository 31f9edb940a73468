//! A provisioned user's onboarding, identity verification and compliance inquiries.

use async_trait::async_trait;

use crate::{
    attachment::{Attachment, NewDocument},
    identity::{IdentityVerification, Verdict},
    inquiry::{EntryStatus, Inquiry, InquiryFilter, NewInquiry},
    model::{Page, PageQuery, ProvisionId, UserId},
    onboarding::{Fulfillment, FulfillmentType, Onboarding},
    provision::plan::Step,
    public_attachment::{Avatar, PublicAttachment},
    time::Timestamp,
};

use super::StoreResult;

/// Onboarding models and fulfillments of provisioned users.
#[async_trait]
pub trait OnboardingStore: Send + Sync {
    /// The user's onboarding, created on first use, when `inquiry` is raised in the same
    /// transaction.
    async fn onboarding(
        &self,
        user: UserId,
        kind: &str,
        inquiry: Option<&NewInquiry>,
        now: Timestamp,
    ) -> StoreResult<Onboarding>;
    async fn find_onboarding(&self, user: UserId) -> StoreResult<Option<Onboarding>>;
    /// Stores submissions (replacing earlier ones of the same kind) and, with `display_name`,
    /// renames the user; the provision records the change and announces it. Returns each id.
    async fn fulfill(
        &self,
        user: UserId,
        submissions: &[(FulfillmentType, String)],
        display_name: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Vec<i64>>;
    /// What the user has provided, with the identity verification once approved.
    async fn fulfillments(&self, user: UserId) -> StoreResult<Vec<Fulfillment>>;
    /// Applies an onboarding decision taken for the provision (`step`, from
    /// `plan::decide_onboarding`) and marks the user's onboarding VERIFIED or DENIED, in one
    /// transaction. False when the provision had moved on.
    async fn decide_onboarding(
        &self,
        provision: ProvisionId,
        step: &Step,
        approved: bool,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

/// Identity verification sessions, attachments and identity documents.
#[async_trait]
pub trait VerificationStore: Send + Sync {
    /// A new session, in the country of the user's main address (else `country`).
    async fn create_identity_verification(
        &self,
        user: UserId,
        country: &str,
        token: &str,
        now: Timestamp,
    ) -> StoreResult<IdentityVerification>;
    async fn identity_verification(&self, id: i64) -> StoreResult<Option<IdentityVerification>>;
    /// The user's sessions, newest first.
    async fn identity_verifications(
        &self,
        user: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<IdentityVerification>>;
    /// `CREATED → SUBMITTED`, with its review scheduled at `review_at`. False when the session
    /// was not CREATED.
    async fn submit_identity_verification(
        &self,
        id: i64,
        review_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Processes a session now with `verdict` (an operator's decision). False when it was
    /// already processed.
    async fn process_identity_verification(
        &self,
        id: i64,
        verdict: &Verdict,
        now: Timestamp,
    ) -> StoreResult<bool>;
    async fn store_attachment(
        &self,
        user: UserId,
        content_type: &str,
        description: Option<&str>,
        content: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<i64>;
    async fn attachment(&self, id: i64) -> StoreResult<Option<Attachment>>;
    async fn attachment_content(&self, id: i64) -> StoreResult<Option<Vec<u8>>>;
    /// Which of `ids` are not the user's (unknown ids included).
    async fn foreign_attachments(&self, user: UserId, ids: &[i64]) -> StoreResult<Vec<i64>>;
    async fn create_document(
        &self,
        user: UserId,
        document: &NewDocument,
        now: Timestamp,
    ) -> StoreResult<i64>;
}

/// Compliance inquiries (spec G). Every change that moves an inquiry's status announces it.
#[async_trait]
pub trait InquiryStore: Send + Sync {
    /// Raises an inquiry, or appends the entries to the user's open one of the same purpose
    /// (bunq merges them). Returns the inquiry's id.
    async fn raise_inquiry(
        &self,
        user: UserId,
        inquiry: &NewInquiry,
        now: Timestamp,
    ) -> StoreResult<i64>;
    async fn inquiry(&self, id: i64) -> StoreResult<Option<Inquiry>>;
    async fn inquiries(
        &self,
        user: UserId,
        filter: &InquiryFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Inquiry>>;
    /// A PENDING entry's answer (`data` is the JSON array of what was submitted). False when
    /// the entry was no longer PENDING.
    async fn answer_entry(&self, entry: i64, data: &str, now: Timestamp) -> StoreResult<bool>;
    /// An operator's review of an answered entry (SUBMITTED or WAITING_FOR_REVIEW); a
    /// rejection may `reopen` the question as a new PENDING entry. `Err` carries the entry's
    /// status when it was not awaiting review, `None` when there is no such entry.
    async fn review_entry(
        &self,
        entry: i64,
        approved: bool,
        reason: Option<&str>,
        reopen: bool,
        now: Timestamp,
    ) -> StoreResult<Result<(), Option<EntryStatus>>>;
    /// Cancels every entry not yet final, which finalizes the inquiry. False when it was
    /// finalized already.
    async fn finalize_inquiry(&self, inquiry: i64, now: Timestamp) -> StoreResult<bool>;
}

/// Public attachments and avatars: images anyone with a session may read.
#[async_trait]
pub trait PublicAttachmentStore: Send + Sync {
    /// Stores an image uploaded by `user` under a new UUID, which it answers. A closed user
    /// is refused (`UserFrozen`).
    async fn store_public_attachment(
        &self,
        user: UserId,
        content_type: &str,
        description: Option<&str>,
        content: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<String>;
    async fn public_attachment(&self, uuid: &str) -> StoreResult<Option<PublicAttachment>>;
    async fn public_attachment_content(&self, uuid: &str) -> StoreResult<Option<Vec<u8>>>;
    /// A new avatar of `user` for the public attachment `attachment`; `None` when there is no
    /// such attachment.
    async fn create_avatar(
        &self,
        user: UserId,
        attachment: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Avatar>>;
    async fn avatar(&self, uuid: &str) -> StoreResult<Option<Avatar>>;
    /// The avatar `user` shows (set with `avatar_uuid`); `None` for its default.
    async fn user_avatar(&self, user: UserId) -> StoreResult<Option<Avatar>>;
    /// `user` shows the avatar `avatar_uuid` from now on. Refused (`Refused`, 400) when no
    /// avatar has that uuid, and for a closed user (`UserFrozen`); nothing changes then.
    async fn set_user_avatar(
        &self,
        user: UserId,
        avatar_uuid: &str,
        now: Timestamp,
    ) -> StoreResult<()>;
}
