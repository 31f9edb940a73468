//! The context's rows: partners, installations, devices, sessions and the grants that open
//! a session, as the database returns them, and their conversion into domain records.

use provisio_core::{
    ip::IpPolicy,
    model::{
        ApiKeyId, ApiKeyUser, CredentialGrant, CredentialId, Device, DeviceGrant, DeviceId,
        DeviceKey, DeviceStatus, Installation, InstallationId, OauthGrantId, Partner, Principal,
        ProvisionId, ProvisionedUser, Session, SessionContext, SessionGrant, SessionId, UserId,
    },
    provision::CredentialStatus,
    time::Timestamp,
    StoreError,
};

use crate::rows::{parse, user_kind};

pub(super) const PARTNER_COLUMNS: &str = "id, public_uuid, name, session_timeout, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct PartnerRow {
    id: i64,
    public_uuid: String,
    name: String,
    session_timeout: i64,
    created: i64,
    updated: i64,
}

impl From<PartnerRow> for Partner {
    fn from(r: PartnerRow) -> Self {
        Partner {
            id: UserId(r.id),
            public_uuid: r.public_uuid,
            name: r.name,
            session_timeout_secs: r.session_timeout,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        }
    }
}

pub(super) const INSTALLATION_COLUMNS: &str = "id, client_public_key, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct InstallationRow {
    id: i64,
    client_public_key: String,
    created: i64,
    updated: i64,
}

impl From<InstallationRow> for Installation {
    fn from(r: InstallationRow) -> Self {
        Installation {
            id: InstallationId(r.id),
            client_public_key_pem: r.client_public_key,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        }
    }
}

pub(super) const DEVICE_COLUMNS: &str = "id, installation_id, user_id, api_key_id, credential_id, \
                                  oauth_grant_id, description, ip, permitted_ips, status, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct DeviceRow {
    id: i64,
    installation_id: i64,
    user_id: i64,
    api_key_id: Option<i64>,
    credential_id: Option<i64>,
    oauth_grant_id: Option<i64>,
    description: String,
    ip: String,
    permitted_ips: String,
    status: String,
    created: i64,
    updated: i64,
}

impl TryFrom<DeviceRow> for Device {
    type Error = StoreError;

    fn try_from(r: DeviceRow) -> Result<Self, StoreError> {
        Ok(Device {
            id: DeviceId(r.id),
            installation_id: InstallationId(r.installation_id),
            user_id: UserId(r.user_id),
            key: match (r.api_key_id, r.credential_id, r.oauth_grant_id) {
                (Some(key), _, _) => DeviceKey::ApiKey(ApiKeyId(key)),
                (None, Some(credential), _) => DeviceKey::Credential(CredentialId(credential)),
                (None, None, Some(grant)) => DeviceKey::OauthGrant(OauthGrantId(grant)),
                (None, None, None) => {
                    return Err(StoreError::Corrupt(format!("device {} has no key", r.id)))
                }
            },
            description: r.description,
            ip: r.ip,
            permitted: ip_policy(&r.permitted_ips)?,
            status: match r.status.as_str() {
                "ACTIVE" => DeviceStatus::Active,
                other => return Err(StoreError::Corrupt(format!("device status {other}"))),
            },
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

pub(super) const SESSION_COLUMNS: &str =
    "id, installation_id, device_id, user_id, created, updated, expires_at";

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: i64,
    installation_id: i64,
    device_id: i64,
    user_id: i64,
    created: i64,
    updated: i64,
    expires_at: i64,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: SessionId(r.id),
            installation_id: InstallationId(r.installation_id),
            device_id: DeviceId(r.device_id),
            user_id: UserId(r.user_id),
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
            expires_at: Timestamp(r.expires_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionContextRow {
    #[sqlx(flatten)]
    session: SessionRow,
    client_public_key: String,
    permitted_ips: String,
    session_timeout: i64,
    user_kind: String,
    user_partner_id: Option<i64>,
    granted_user_id: Option<i64>,
}

impl TryFrom<SessionContextRow> for SessionContext {
    type Error = StoreError;

    fn try_from(r: SessionContextRow) -> Result<Self, StoreError> {
        let user = UserId(r.session.user_id);
        let principal = match (r.user_kind.as_str(), r.user_partner_id, r.granted_user_id) {
            ("PARTNER", _, _) => Principal::Partner(user),
            ("API_KEY", Some(partner), Some(granted)) => Principal::UserApiKey {
                api_key_user: user,
                partner: UserId(partner),
                granted: UserId(granted),
            },
            (kind, _, _) => {
                return Err(StoreError::Corrupt(format!("session of a {kind} user")));
            }
        };
        Ok(SessionContext {
            principal,
            session: r.session.into(),
            client_public_key_pem: r.client_public_key,
            permitted: ip_policy(&r.permitted_ips)?,
            session_timeout_secs: r.session_timeout,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionGrantRow {
    api_key_id: i64,
    #[sqlx(flatten)]
    partner: PartnerRow,
    device_id: Option<i64>,
    permitted_ips: Option<String>,
    sandbox_kind: Option<String>,
}

impl TryFrom<SessionGrantRow> for SessionGrant {
    type Error = StoreError;

    fn try_from(r: SessionGrantRow) -> Result<Self, StoreError> {
        Ok(SessionGrant {
            partner: r.partner.into(),
            api_key_id: ApiKeyId(r.api_key_id),
            device: device_grant(r.device_id, r.permitted_ips.as_deref())?,
            is_sandbox_user: r.sandbox_kind.is_some(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CredentialGrantRow {
    credential_id: i64,
    provision_id: i64,
    credential_status: String,
    expiry_time: i64,
    #[sqlx(flatten)]
    partner: PartnerRow,
    #[sqlx(flatten)]
    user: KeyUserRow,
}

impl TryFrom<CredentialGrantRow> for CredentialGrant {
    type Error = StoreError;

    fn try_from(r: CredentialGrantRow) -> Result<Self, StoreError> {
        Ok(CredentialGrant {
            key: DeviceKey::Credential(CredentialId(r.credential_id)),
            provision_id: Some(ProvisionId(r.provision_id)),
            status: parse(CredentialStatus::parse, &r.credential_status)?,
            expiry_time: Timestamp(r.expiry_time),
            partner: r.partner.into(),
            device: device_grant(r.user.device_id, r.user.permitted_ips.as_deref())?,
            api_key_user: ApiKeyUser {
                id: UserId(r.user.ak_id),
                created: Timestamp(r.user.ak_created),
                updated: Timestamp(r.user.ak_updated),
            },
            granted: r.user.granted()?,
        })
    }
}

/// The device a grant found on the installation, if any (both columns come from one LEFT JOIN).
fn device_grant(id: Option<i64>, ips: Option<&str>) -> Result<Option<DeviceGrant>, StoreError> {
    match (id, ips) {
        (Some(id), Some(ips)) => Ok(Some(DeviceGrant {
            id: DeviceId(id),
            permitted: ip_policy(ips)?,
        })),
        _ => Ok(None),
    }
}

/// What a credential's and an OAuth grant's rows share: the `UserApiKey` (`ak_`), the user who
/// granted it (`g_`) and the device registered for it on the installation.
#[derive(sqlx::FromRow)]
pub(super) struct KeyUserRow {
    ak_id: i64,
    ak_created: i64,
    ak_updated: i64,
    g_id: i64,
    g_public_uuid: String,
    g_name: String,
    g_kind: String,
    g_session_timeout: i64,
    g_created: i64,
    g_updated: i64,
    device_id: Option<i64>,
    permitted_ips: Option<String>,
}

impl KeyUserRow {
    fn granted(self) -> Result<ProvisionedUser, StoreError> {
        Ok(ProvisionedUser {
            id: UserId(self.g_id),
            public_uuid: self.g_public_uuid,
            display_name: self.g_name,
            kind: user_kind(&self.g_kind)?,
            session_timeout_secs: self.g_session_timeout,
            created: Timestamp(self.g_created),
            updated: Timestamp(self.g_updated),
        })
    }
}

fn ip_policy(stored: &str) -> Result<IpPolicy, StoreError> {
    IpPolicy::from_stored(stored)
        .ok_or_else(|| StoreError::Corrupt(format!("permitted_ips {stored:?}")))
}

/// An OAuth grant's access token presented as a secret: read as a [`CredentialGrant`] that is
/// never pending (ACTIVE or REVOKED) and has no provision. A sandbox user who consented is
/// named as the person or company it was created as.
#[derive(sqlx::FromRow)]
pub(super) struct OauthTokenRow {
    grant_id: i64,
    grant_status: String,
    grant_created: i64,
    #[sqlx(flatten)]
    partner: PartnerRow,
    #[sqlx(flatten)]
    user: KeyUserRow,
}

impl TryFrom<OauthTokenRow> for CredentialGrant {
    type Error = StoreError;

    fn try_from(r: OauthTokenRow) -> Result<Self, StoreError> {
        Ok(CredentialGrant {
            key: DeviceKey::OauthGrant(OauthGrantId(r.grant_id)),
            provision_id: None,
            status: match r.grant_status.as_str() {
                "ACTIVE" => CredentialStatus::Active,
                _ => CredentialStatus::Revoked,
            },
            expiry_time: Timestamp(r.grant_created),
            partner: r.partner.into(),
            device: device_grant(r.user.device_id, r.user.permitted_ips.as_deref())?,
            api_key_user: ApiKeyUser {
                id: UserId(r.user.ak_id),
                created: Timestamp(r.user.ak_created),
                updated: Timestamp(r.user.ak_updated),
            },
            granted: r.user.granted()?,
        })
    }
}
