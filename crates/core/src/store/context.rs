//! Partners, their keys and the API context: the server key, partners, installations,
//! devices, sessions.

use async_trait::async_trait;

use crate::{
    model::{
        ApiKeyId, CredentialGrant, CredentialId, Device, Installation, InstallationId, NewDevice,
        NewSession, Page, PageQuery, Partner, Session, SessionContext, SessionGrant, SessionId,
        UserId, UserRecord,
    },
    sandbox_user::{NewSandboxUser, SandboxUser, SandboxUserKind},
    secret::SecretHash,
    time::Timestamp,
};

use super::StoreResult;

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

/// Sandbox users (`POST /v1/sandbox-user-person`): partners that are also bunq users others
/// can pay, by their EMAIL and PHONE_NUMBER pointers.
#[async_trait]
pub trait SandboxUserStore: Send + Sync {
    /// Creates the user in one transaction: a partner with `api_key` and its main EUR account
    /// (as [`PartnerStore::create_partner`]), remembered as a sandbox person or company, with
    /// its EMAIL and PHONE_NUMBER pointers. A pointer already taken is
    /// `StoreError::UniqueViolation` (the caller draws another).
    async fn create_sandbox_user(
        &self,
        user: &NewSandboxUser,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<SandboxUser>;
    /// The partner `id` if it was created as a sandbox user, with its pointers.
    async fn sandbox_user(&self, id: UserId) -> StoreResult<Option<SandboxUser>>;
    /// Every partner created as a sandbox user, and as which kind.
    async fn sandbox_user_kinds(&self) -> StoreResult<Vec<(UserId, SandboxUserKind)>>;
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
