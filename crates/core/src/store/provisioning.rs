//! Provisions, the job queue that moves them, and the OAuth clients they need.

use std::time::Duration;

use async_trait::async_trait;

use crate::{
    model::{CallbackUrlId, OauthClientId, OauthGrantId, Page, PageQuery, ProvisionId, UserId},
    provision::consent::{ConsentUser, Exchanged, GrantFilter, NewOauthCode, OauthGrant},
    provision::oauth::{CallbackUrl, OauthClient, OauthClientStatus},
    provision::{
        plan::Step,
        record::{ClaimedJob, HistoryEntry, JobOutcome, Provision, ProvisionFilter},
        request::NewProvision,
        Status,
    },
    secret::SecretHash,
    time::Timestamp,
};

use super::StoreResult;

/// The refusal of a new provision whose partner has no usable OAuth client (J-14).
pub const NO_USABLE_OAUTH_CLIENT: &str = "No active OAuth client with a callback URL. Create one \
     with POST /v1/user/{userId}/oauth-client and register its callback URL first.";

/// Provisions, their history, and the steps that move them.
#[async_trait]
pub trait ProvisionStore: Send + Sync {
    /// Inserts the provision, its first history entry and its first job at `first_step_at`,
    /// if `partner` has a usable OAuth client (an active one with a callback URL, J-14),
    /// checked in the statement that inserts; without one it is refused
    /// (`StoreError::Refused`, [`NO_USABLE_OAUTH_CLIENT`]) and nothing is written.
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

/// OAuth for users who already bank here: codes from the consent page, and the grants they are
/// exchanged for (see `provision::consent`). A grant's access token is found, like a
/// provision's credential, by `ContextStore::credential_grant`.
#[async_trait]
pub trait OauthGrantStore: Send + Sync {
    /// The client with this public `client_id`, whoever owns it, with its callback URLs.
    async fn oauth_client_by_client_id(&self, client_id: &str) -> StoreResult<Option<OauthClient>>;
    /// Who may consent (sandbox users, provisioned users whose provision is not over), but
    /// `except` (the client's own partner); oldest first, at most `limit`.
    async fn consent_users(&self, except: UserId, limit: u32) -> StoreResult<Vec<ConsentUser>>;
    /// `user` if it may consent now.
    async fn consent_user(&self, user: UserId) -> StoreResult<Option<ConsentUser>>;
    async fn create_oauth_code(&self, code: &NewOauthCode, now: Timestamp) -> StoreResult<()>;
    /// In one write: the code must be unused, unexpired, the client's and issued for
    /// `redirect_uri`, its client still ACTIVE and its user still there; it is then used up and
    /// a grant made, with its `UserApiKey` user and `token` as its access token's hash.
    async fn exchange_oauth_code(
        &self,
        code: &SecretHash,
        client: OauthClientId,
        redirect_uri: &str,
        token: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Exchanged>;
    /// Newest first.
    async fn oauth_grants(&self, filter: GrantFilter) -> StoreResult<Vec<OauthGrant>>;
    async fn oauth_grant(&self, id: OauthGrantId) -> StoreResult<Option<OauthGrant>>;
    /// Ends the grant: its token opens nothing more and its `UserApiKey` user is closed, so its
    /// sessions are refused. The grant as it is after (`None`: no such grant).
    async fn revoke_oauth_grant(
        &self,
        id: OauthGrantId,
        now: Timestamp,
    ) -> StoreResult<Option<OauthGrant>>;
}
