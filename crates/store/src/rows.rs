//! Rows as the database returns them, and their conversion into domain records.

use provisio_core::{
    ip::IpPolicy,
    model::{
        ApiKeyId, Device, DeviceGrant, DeviceId, DeviceStatus, Installation, InstallationId,
        Partner, Session, SessionContext, SessionGrant, SessionId, UserId,
    },
    time::Timestamp,
    StoreError,
};

pub const PARTNER_COLUMNS: &str = "id, public_uuid, name, session_timeout, created, updated";

#[derive(sqlx::FromRow)]
pub struct PartnerRow {
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

pub const INSTALLATION_COLUMNS: &str = "id, client_public_key, created, updated";

#[derive(sqlx::FromRow)]
pub struct InstallationRow {
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

pub const DEVICE_COLUMNS: &str =
    "id, installation_id, user_id, api_key_id, description, ip, permitted_ips, status, created, updated";

#[derive(sqlx::FromRow)]
pub struct DeviceRow {
    id: i64,
    installation_id: i64,
    user_id: i64,
    api_key_id: i64,
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
            api_key_id: ApiKeyId(r.api_key_id),
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

pub const SESSION_COLUMNS: &str =
    "id, installation_id, device_id, user_id, created, updated, expires_at";

#[derive(sqlx::FromRow)]
pub struct SessionRow {
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
pub struct SessionContextRow {
    #[sqlx(flatten)]
    session: SessionRow,
    client_public_key: String,
    permitted_ips: String,
    session_timeout: i64,
}

impl TryFrom<SessionContextRow> for SessionContext {
    type Error = StoreError;

    fn try_from(r: SessionContextRow) -> Result<Self, StoreError> {
        Ok(SessionContext {
            session: r.session.into(),
            client_public_key_pem: r.client_public_key,
            permitted: ip_policy(&r.permitted_ips)?,
            session_timeout_secs: r.session_timeout,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct SessionGrantRow {
    api_key_id: i64,
    #[sqlx(flatten)]
    partner: PartnerRow,
    device_id: Option<i64>,
    permitted_ips: Option<String>,
}

impl TryFrom<SessionGrantRow> for SessionGrant {
    type Error = StoreError;

    fn try_from(r: SessionGrantRow) -> Result<Self, StoreError> {
        let device = match (r.device_id, r.permitted_ips) {
            (Some(id), Some(ips)) => Some(DeviceGrant {
                id: DeviceId(id),
                permitted: ip_policy(&ips)?,
            }),
            _ => None,
        };
        Ok(SessionGrant {
            partner: r.partner.into(),
            api_key_id: ApiKeyId(r.api_key_id),
            device,
        })
    }
}

fn ip_policy(stored: &str) -> Result<IpPolicy, StoreError> {
    IpPolicy::from_stored(stored)
        .ok_or_else(|| StoreError::Corrupt(format!("permitted_ips {stored:?}")))
}
