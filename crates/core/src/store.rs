//! The storage seam. The server talks to `dyn Store`; `provisio-store` implements it on SQLite
//! and PostgreSQL, and one contract test suite holds both to the same behaviour.

use async_trait::async_trait;

use crate::{
    model::{
        ApiKeyId, Device, Installation, InstallationId, NewDevice, NewSession, Page, PageQuery,
        Partner, Session, SessionContext, SessionGrant, SessionId, UserId,
    },
    secret::SecretHash,
    time::Timestamp,
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
    /// Oldest first.
    async fn list_partners(&self) -> StoreResult<Vec<Partner>>;
    async fn partner(&self, id: UserId) -> StoreResult<Option<Partner>>;
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
}

/// Everything provisio stores.
pub trait Store: ServerKeyStore + PartnerStore + ContextStore {}

impl<T: ServerKeyStore + PartnerStore + ContextStore> Store for T {}
