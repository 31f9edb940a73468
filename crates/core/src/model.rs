//! The records of the API context: partners (bunq `UserCompany`) and the other users,
//! installations, devices, sessions, and the pagination window used to list them.

use crate::{
    ip::IpPolicy,
    provision::enums::{CredentialStatus, UserVerifiedType},
    time::Timestamp,
};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }
    )*};
}

id_type! {
    /// Any bunq user (partner company, later provisioned persons and companies). One id space,
    /// so a `{userId}` path segment is never ambiguous.
    UserId;
    ApiKeyId;
    InstallationId;
    DeviceId;
    SessionId;
    ProvisionId;
    CredentialId;
    OauthClientId;
    CallbackUrlId;
    /// A monetary account, in its own id space.
    MonetaryAccountId;
    /// One side of a payment (each account has its own Payment), in its own id space.
    PaymentId;
    JobId;
    /// A card, in its own id space.
    CardId;
    /// A generated CVC2.
    Cvc2Id;
    /// A card transaction (`MasterCardAction`).
    MasterCardActionId;
    /// A 3DS challenge (`MasterCardIdentityCheckChallengeRequest`).
    ChallengeId;
}

/// Which bunq environment provisio imitates. It decides the API-key prefix now and
/// credential lifetimes later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Production,
}

impl Environment {
    /// bunq sandbox API keys carry a `sandbox_` prefix.
    pub fn api_key_prefix(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox_",
            Environment::Production => "",
        }
    }
}

/// Default auto-logout: one week, in seconds (spec A.13).
pub const DEFAULT_SESSION_TIMEOUT_SECS: i64 = 604_800;

/// A partner: a bunq `UserCompany` that owns API keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partner {
    pub id: UserId,
    pub public_uuid: String,
    pub name: String,
    pub session_timeout_secs: i64,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub id: InstallationId,
    /// The client's key, normalised to SPKI PEM.
    pub client_public_key_pem: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    Active,
}

impl DeviceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Active => "ACTIVE",
        }
    }
}

/// What a device was registered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKey {
    /// A partner API key.
    ApiKey(ApiKeyId),
    /// A provision credential (a provisioned user's key).
    Credential(CredentialId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub installation_id: InstallationId,
    pub user_id: UserId,
    pub key: DeviceKey,
    pub description: String,
    pub ip: String,
    pub permitted: IpPolicy,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    pub installation_id: InstallationId,
    pub user_id: UserId,
    pub key: DeviceKey,
    pub description: String,
    /// The address that registered the device.
    pub ip: String,
    pub permitted: IpPolicy,
    pub status: DeviceStatus,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// What `POST /session-server` needs to know about a secret presented on an installation,
/// read in one query: whose key it is, and the device registered for it there (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionGrant {
    pub partner: Partner,
    pub api_key_id: ApiKeyId,
    pub device: Option<DeviceGrant>,
    /// The key is a sandbox user's (`POST /v1/sandbox-user-person`), answered as the person or
    /// company it stands for: read here so that an ordinary partner's session costs no second
    /// query.
    pub is_sandbox_user: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceGrant {
    pub id: DeviceId,
    pub permitted: IpPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub installation_id: InstallationId,
    pub device_id: DeviceId,
    pub user_id: UserId,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub installation_id: InstallationId,
    pub device_id: DeviceId,
    pub user_id: UserId,
    pub created: Timestamp,
    pub updated: Timestamp,
    pub expires_at: Timestamp,
}

/// Who a session acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    /// A partner's own session.
    Partner(UserId),
    /// A session opened with a provision credential: the `UserApiKey` a provisioned user
    /// (`granted`) gave the partner that provisioned it.
    UserApiKey {
        api_key_user: UserId,
        partner: UserId,
        granted: UserId,
    },
}

impl Principal {
    /// The partner on whose behalf the session acts, directly or through a user's key.
    pub fn partner(self) -> UserId {
        match self {
            Principal::Partner(id) | Principal::UserApiKey { partner: id, .. } => id,
        }
    }
}

/// What an authenticated request needs to know about its session, read in one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionContext {
    pub session: Session,
    pub principal: Principal,
    pub client_public_key_pem: String,
    pub permitted: IpPolicy,
    pub session_timeout_secs: i64,
}

/// A provision credential presented as a secret on an installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialGrant {
    pub credential_id: CredentialId,
    pub provision_id: ProvisionId,
    pub status: CredentialStatus,
    pub expiry_time: Timestamp,
    /// The `UserApiKey` user sessions opened with this credential act as.
    pub api_key_user: ApiKeyUser,
    pub partner: Partner,
    pub granted: ProvisionedUser,
    pub device: Option<DeviceGrant>,
}

impl CredentialGrant {
    /// Whether the credential may open a device or a session now (spec D.8, J-18).
    pub fn usable(&self, now: Timestamp) -> bool {
        use CredentialStatus as C;
        match self.status {
            C::PendingFirstUse => now < self.expiry_time,
            C::Active => true,
            C::Expired | C::Revoked => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyUser {
    pub id: UserId,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// The bunq user behind `label_user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionedUser {
    pub id: UserId,
    pub public_uuid: String,
    pub display_name: String,
    pub kind: UserVerifiedType,
    pub session_timeout_secs: i64,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A window into a newest-first list (spec A.7, J-21): `older_id` and `newer_id` are
/// exclusive bounds; at most one of them is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub count: u32,
    pub bound: PageBound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageBound {
    Newest,
    OlderThan(i64),
    NewerThan(i64),
}

pub const DEFAULT_PAGE_COUNT: u32 = 10;
pub const MAX_PAGE_COUNT: u32 = 200;

/// One page, newest first, and whether anything lies beyond it on either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_older: bool,
    pub has_newer: bool,
}

impl<T> Page<T> {
    /// A short list shown whole: nothing before it, nothing after.
    pub fn whole(items: Vec<T>) -> Page<T> {
        Page {
            items,
            has_older: false,
            has_newer: false,
        }
    }

    /// The same page with each item converted, or the first conversion error.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, _>>()?,
            has_older: self.has_older,
            has_newer: self.has_newer,
        })
    }
}

/// Kinds of user in provisio's one id space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Partner,
    Person,
    Company,
    ApiKey,
}

/// Any user, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: UserId,
    pub kind: UserKind,
    pub public_uuid: String,
    pub name: String,
    pub session_timeout_secs: i64,
    pub active: bool,
    /// For provisioned and API-key users: the partner that provisioned them.
    pub partner_id: Option<UserId>,
    /// For API-key users: the provisioned user who granted the key.
    pub granted_user_id: Option<UserId>,
    pub created: Timestamp,
    pub updated: Timestamp,
}
