//! The storage seam. The server talks to `dyn Store`; `provisio-store` implements it on SQLite
//! and PostgreSQL, and one contract test suite holds both to the same behaviour.

use std::time::Duration;

use async_trait::async_trait;

use crate::{
    account::{
        payment::{Credit, Ledger, NewPayment, Payment, PaymentPolicy},
        AccountKind, AccountUpdate, MonetaryAccount, NewAccount,
    },
    attachment::{Attachment, NewDocument},
    identity::{IdentityVerification, Verdict},
    inquiry::{EntryStatus, Inquiry, InquiryFilter, NewInquiry},
    model::{
        ApiKeyId, CallbackUrlId, CredentialGrant, CredentialId, Device, Installation,
        InstallationId, MonetaryAccountId, NewDevice, NewSession, OauthClientId, Page, PageQuery,
        Partner, PaymentId, ProvisionId, Session, SessionContext, SessionGrant, SessionId, UserId,
        UserRecord,
    },
    onboarding::{Fulfillment, FulfillmentType, Onboarding},
    provision::{
        oauth::{CallbackUrl, OauthClient, OauthClientStatus},
        plan::Step,
        record::{ClaimedJob, HistoryEntry, JobOutcome, Provision, ProvisionFilter},
        request::NewProvision,
        Status,
    },
    secret::SecretHash,
    time::Timestamp,
    webhook::{Attempt, AttemptRecord, Delivery, DeliveryFailure, DeliveryRecord, Filter},
    StoreError,
};

pub type StoreResult<T> = Result<T, StoreError>;

/// The server's own RSA key, shared by every process on the same database.
#[async_trait]
pub trait ServerKeyStore: Send + Sync {
    async fn server_key(&self) -> StoreResult<Option<Vec<u8>>>;
    /// Stores `candidate` if no key exists yet and returns the stored key, so concurrent first
    /// starts agree on one key.
    async fn server_key_or_insert(&self, candidate: &[u8], now: Timestamp) -> StoreResult<Vec<u8>>;
}

/// Partners and their API keys.
#[async_trait]
pub trait PartnerStore: Send + Sync {
    async fn create_partner(
        &self,
        name: &str,
        public_uuid: &str,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Partner>;
    /// Another API key for an existing partner; false when there is no such partner.
    async fn add_api_key(
        &self,
        partner: UserId,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Oldest first.
    async fn list_partners(&self) -> StoreResult<Vec<Partner>>;
    async fn partner(&self, id: UserId) -> StoreResult<Option<Partner>>;
    /// Any user by id.
    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>>;
    /// The partner owning a (non-revoked) API key.
    async fn partner_by_api_key(
        &self,
        key: &SecretHash,
    ) -> StoreResult<Option<(Partner, ApiKeyId)>>;
}

/// Installations, devices and sessions: the API context.
#[async_trait]
pub trait ContextStore: Send + Sync {
    async fn create_installation(
        &self,
        client_public_key_pem: &str,
        token: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Installation>;
    async fn installation_by_token(&self, token: &SecretHash) -> StoreResult<Option<Installation>>;
    async fn create_device(&self, device: &NewDevice) -> StoreResult<Device>;
    /// The partner owning `api_key`, with the newest device `installation` registered for it.
    async fn session_grant(
        &self,
        installation: InstallationId,
        api_key: &SecretHash,
    ) -> StoreResult<Option<SessionGrant>>;
    async fn list_devices(&self, user: UserId, page: PageQuery) -> StoreResult<Page<Device>>;
    async fn create_session(
        &self,
        session: &NewSession,
        token: &SecretHash,
    ) -> StoreResult<Session>;
    async fn session_by_token(&self, token: &SecretHash) -> StoreResult<Option<SessionContext>>;
    async fn extend_session(
        &self,
        id: SessionId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()>;
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    /// A provision credential presented as a secret, with the device `installation`
    /// registered for it (if any), whatever the credential's status.
    async fn credential_grant(
        &self,
        installation: InstallationId,
        token: &SecretHash,
    ) -> StoreResult<Option<CredentialGrant>>;
    /// First use: `PENDING_FIRST_USE` becomes `ACTIVE`, the token stops being shown and the
    /// device is recorded. False when the credential was no longer pending.
    async fn use_credential(
        &self,
        credential: CredentialId,
        permitted_device: &str,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

/// OAuth clients and callback URLs, always scoped to their owner.
#[async_trait]
pub trait OauthStore: Send + Sync {
    async fn create_oauth_client(
        &self,
        user: UserId,
        status: OauthClientStatus,
        client_id: &str,
        secret: &str,
        now: Timestamp,
    ) -> StoreResult<OauthClient>;
    async fn list_oauth_clients(
        &self,
        user: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<OauthClient>>;
    async fn oauth_client(
        &self,
        user: UserId,
        id: OauthClientId,
    ) -> StoreResult<Option<OauthClient>>;
    async fn set_oauth_client_status(
        &self,
        user: UserId,
        id: OauthClientId,
        status: OauthClientStatus,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// `None` when the client does not exist for this user.
    async fn add_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        url: &str,
        now: Timestamp,
    ) -> StoreResult<Option<CallbackUrl>>;
    async fn update_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        id: CallbackUrlId,
        url: &str,
        now: Timestamp,
    ) -> StoreResult<Option<CallbackUrl>>;
    async fn delete_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        id: CallbackUrlId,
    ) -> StoreResult<bool>;
    /// An active client with at least one callback URL (J-14).
    async fn has_usable_oauth_client(&self, user: UserId) -> StoreResult<bool>;
}

/// Provisions, their history, and the steps that move them.
#[async_trait]
pub trait ProvisionStore: Send + Sync {
    /// Inserts the provision, its first history entry and its first job at `first_step_at`.
    async fn create_provision(
        &self,
        partner: UserId,
        provision: &NewProvision,
        now: Timestamp,
        first_step_at: Timestamp,
    ) -> StoreResult<Provision>;
    async fn provision(&self, id: ProvisionId) -> StoreResult<Option<Provision>>;
    async fn list_provisions(
        &self,
        partner: UserId,
        filter: &ProvisionFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Provision>>;
    /// Executes `step` if the provision is still in `step.expect`; false when it was not.
    async fn apply_step(
        &self,
        provision: ProvisionId,
        step: &Step,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Oldest first.
    async fn history(&self, provision: ProvisionId) -> StoreResult<Vec<HistoryEntry>>;
    /// The status of the provision that created `user`; `None` for a user without one.
    async fn user_provision_status(&self, user: UserId) -> StoreResult<Option<Status>>;
    /// Operator control: a pending credential expires now. False when none was pending.
    async fn expire_credential_now(
        &self,
        provision: ProvisionId,
        now: Timestamp,
    ) -> StoreResult<bool>;
}

/// The background job queue.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Leases up to `limit` due jobs to `worker` until `now + lease`. Jobs whose lease ran out
    /// are due again.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedJob>>;
    /// Finishes jobs this worker still holds, applying each outcome, in one transaction.
    async fn finish_jobs(
        &self,
        worker: &str,
        outcomes: Vec<(ClaimedJob, JobOutcome)>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// When the next job is due, for sleeping until then.
    async fn next_job_at(&self) -> StoreResult<Option<Timestamp>>;
    /// Jobs not yet finished (for draining in tests and for operators).
    async fn pending_jobs(&self) -> StoreResult<u64>;
}

/// Notification filters and the webhook outbox.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Replaces all of `user`'s filters (an empty set removes them all).
    async fn replace_filters(
        &self,
        user: UserId,
        requested_by: Option<UserId>,
        filters: &[Filter],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// In the order they were set.
    async fn filters(&self, user: UserId) -> StoreResult<Vec<Filter>>;
    /// Leases due deliveries; of deliveries sharing an order key, only the oldest pending one.
    async fn claim_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// Records attempts of deliveries this worker still holds.
    async fn finish_deliveries(
        &self,
        worker: &str,
        attempts: Vec<Attempt>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Failures of the partner and of every user it provisioned, newest first.
    async fn failures(
        &self,
        partner: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<DeliveryFailure>>;
    /// Queues the named failures for one more attempt. `Err` lists ids that are not failures
    /// of this partner (nothing is queued then).
    async fn retry_failures(
        &self,
        partner: UserId,
        ids: &[i64],
        now: Timestamp,
    ) -> StoreResult<Result<(), Vec<i64>>>;
    /// When the next delivery is due, for sleeping until then.
    async fn next_delivery_at(&self) -> StoreResult<Option<Timestamp>>;
    /// The inspector: recent deliveries, newest first, optionally to one target, with their
    /// attempts.
    async fn deliveries(
        &self,
        target: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
    /// Makes every pending delivery due now, those waiting for a retry included; returns how
    /// many are pending.
    async fn pending_due_now(&self, now: Timestamp) -> StoreResult<u64>;
    /// Sends a delivery once more (same event id); false when there is no such delivery.
    async fn resend(&self, delivery: i64, now: Timestamp) -> StoreResult<bool>;
    /// Attempts with an id above `after`, oldest first (for following deliveries live).
    async fn attempts_since(&self, after: i64, limit: u32) -> StoreResult<Vec<AttemptRecord>>;
    /// The newest attempt's id (0 when there is none), where following starts.
    async fn latest_attempt_id(&self) -> StoreResult<i64>;
}

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

/// What the operator's metrics report from the database, read when they are scraped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Provisions per (status, sub_status).
    pub provisions: Vec<(String, String, u64)>,
    pub jobs_pending: u64,
    /// When the job waiting longest was (or is) due.
    pub oldest_job_due: Option<Timestamp>,
    pub deliveries_pending: u64,
    pub oldest_delivery_due: Option<Timestamp>,
    /// Deliveries that ran out of attempts (`NotificationFilterFailure`s).
    pub deliveries_failed: u64,
}

#[async_trait]
pub trait FiguresStore: Send + Sync {
    async fn figures(&self) -> StoreResult<Figures>;
}

/// The sandbox controls' storage: the shared virtual clock, the store's own health, and
/// wholesale removal (a partner with everything it owns, or everything).
#[async_trait]
pub trait SandboxStore: Send + Sync {
    /// How far the virtual clock runs ahead of the system clock, in microseconds.
    async fn clock_offset(&self) -> StoreResult<i64>;
    /// Moves the virtual clock forward by `by_micros` (> 0) and returns the new offset.
    async fn advance_clock(&self, by_micros: i64) -> StoreResult<i64>;
    /// Fails unless the database answers a trivial query and every migration this build
    /// knows is applied.
    async fn ready(&self) -> StoreResult<()>;
    /// Removes a partner and everything it owns (its provisioned users and their keys,
    /// provisions, sessions, devices, installations no one else uses, webhooks, onboarding and
    /// compliance records) in one transaction. `None` when there is no such partner; else the
    /// ids of the users removed.
    async fn delete_partner(&self, partner: UserId) -> StoreResult<Option<Vec<UserId>>>;
    /// Empties the store but for the server key, the virtual clock and the schema.
    async fn reset(&self) -> StoreResult<()>;
}

/// Monetary accounts of partners and provisioned users.
#[async_trait]
pub trait MonetaryAccountStore: Send + Sync {
    /// Opens an account with a fresh, unique IBAN. A user whose provision is over is refused
    /// (`UserFrozen`) inside the write.
    async fn create_account(
        &self,
        user: UserId,
        account: &NewAccount,
        now: Timestamp,
    ) -> StoreResult<MonetaryAccount>;
    /// The user's account; `None` for an unknown id or another user's account.
    async fn account(
        &self,
        user: UserId,
        id: MonetaryAccountId,
    ) -> StoreResult<Option<MonetaryAccount>>;
    /// The user's accounts of `kind` (all kinds when `None`), newest first.
    async fn accounts(
        &self,
        user: UserId,
        kind: Option<AccountKind>,
        page: PageQuery,
    ) -> StoreResult<Page<MonetaryAccount>>;
    /// Applies `update` by `account::rules::apply` to the account as the write finds it
    /// (locked), and stores the result if the account is still as it was read. `None` when the
    /// user has no such account of `kind`; a refused update is `StoreError::Refused`.
    async fn update_account(
        &self,
        user: UserId,
        kind: AccountKind,
        id: MonetaryAccountId,
        update: &AccountUpdate,
        now: Timestamp,
    ) -> StoreResult<Option<MonetaryAccount>>;
}

/// Payments, on the ledger of account balances.
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Pays from the user's `account` in one transaction: the payer is debited only if it is
    /// ACTIVE and holds the amount, today's outgoing payments stay within its daily limit, the
    /// payee (an account held here, else an IBAN elsewhere if `policy` allows) is credited,
    /// both sides' Payments are written with their balance after, and their PAYMENT and
    /// MUTATION webhooks are queued. A refusal (`StoreError::Refused`, `UserFrozen`) writes
    /// nothing. `None` when the user has no such account. Answers the payer's side.
    async fn pay(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        payment: &NewPayment,
        policy: &PaymentPolicy,
        now: Timestamp,
    ) -> StoreResult<Option<Payment>>;
    /// Money in from an IBAN elsewhere (an operator's credit), as an incoming `EBA_SCT`.
    async fn credit(
        &self,
        account: MonetaryAccountId,
        credit: &Credit,
        now: Timestamp,
    ) -> StoreResult<Option<Payment>>;
    async fn payment(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: PaymentId,
    ) -> StoreResult<Option<Payment>>;
    /// The account's payments, newest first.
    async fn payments(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<Payment>>;
    /// The whole ledger's totals.
    async fn ledger(&self) -> StoreResult<Ledger>;
}

/// Everything provisio stores.
pub trait Store:
    ServerKeyStore
    + PartnerStore
    + ContextStore
    + OauthStore
    + ProvisionStore
    + JobStore
    + WebhookStore
    + OnboardingStore
    + VerificationStore
    + InquiryStore
    + FiguresStore
    + SandboxStore
    + MonetaryAccountStore
    + PaymentStore
{
}

impl<T> Store for T where
    T: ServerKeyStore
        + PartnerStore
        + ContextStore
        + OauthStore
        + ProvisionStore
        + JobStore
        + WebhookStore
        + OnboardingStore
        + VerificationStore
        + InquiryStore
        + FiguresStore
        + SandboxStore
        + MonetaryAccountStore
        + PaymentStore
{
}
