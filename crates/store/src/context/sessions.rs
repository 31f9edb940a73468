//! Installations, devices and sessions (the `ContextStore`): the context a request runs in,
//! and the grants (a partner's API key, a provisioned user's credential) that open a session.

use super::rows::{
    CredentialGrantRow, DeviceRow, InstallationRow, OauthTokenRow, SessionContextRow,
    SessionGrantRow, SessionRow, DEVICE_COLUMNS, INSTALLATION_COLUMNS, SESSION_COLUMNS,
};
use crate::{
    batch::Statement,
    db_err,
    page::{fetch_page, Arg},
    SqlStore,
};
use async_trait::async_trait;
use provisio_core::{
    model::{
        CredentialGrant, CredentialId, Device, DeviceKey, Installation, InstallationId, NewDevice,
        NewSession, Page, PageQuery, Session, SessionContext, SessionGrant, SessionId, UserId,
    },
    secret::SecretHash,
    store::{ContextStore, StoreResult},
    time::Timestamp,
};

#[async_trait]
impl ContextStore for SqlStore {
    async fn create_installation(
        &self,
        client_public_key_pem: &str,
        token: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Installation> {
        let (token, pem) = (token.as_str().to_owned(), client_public_key_pem.to_owned());
        let row: InstallationRow = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query_as(&format!(
                        "INSERT INTO installations (token_hash, client_public_key, created, updated) \
                         VALUES ($1, $2, $3, $3) RETURNING {INSTALLATION_COLUMNS}"
                    ))
                    .bind(token)
                    .bind(pem)
                    .bind(now.micros())
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        Ok(row.into())
    }

    async fn installation_by_token(&self, token: &SecretHash) -> StoreResult<Option<Installation>> {
        // On every request whose token is not cached yet: a point read (`readers`).
        let row: Option<InstallationRow> = self
            .read_optional(
                Statement::new(format!(
                    "SELECT {INSTALLATION_COLUMNS} FROM installations WHERE token_hash = $1"
                ))
                .bind(token.as_str()),
            )
            .await
            .map_err(db_err)?;
        Ok(row.map(Installation::from))
    }

    async fn create_device(&self, device: &NewDevice) -> StoreResult<Device> {
        let device = device.clone();
        let row: DeviceRow = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query_as(&format!(
                        "INSERT INTO devices (installation_id, user_id, api_key_id, credential_id, \
                                              oauth_grant_id, description, ip, permitted_ips, \
                                              status, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ACTIVE', $9, $9) RETURNING {DEVICE_COLUMNS}"
                    ))
                    .bind(device.installation_id.0)
                    .bind(device.user_id.0)
                    .bind(match device.key {
                        DeviceKey::ApiKey(key) => Some(key.0),
                        _ => None,
                    })
                    .bind(match device.key {
                        DeviceKey::Credential(credential) => Some(credential.0),
                        _ => None,
                    })
                    .bind(match device.key {
                        DeviceKey::OauthGrant(grant) => Some(grant.0),
                        _ => None,
                    })
                    .bind(device.description)
                    .bind(device.ip)
                    .bind(device.permitted.to_stored())
                    .bind(device.now.micros())
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        row.try_into()
    }

    async fn session_grant(
        &self,
        installation: InstallationId,
        api_key: &SecretHash,
    ) -> StoreResult<Option<SessionGrant>> {
        let row: Option<SessionGrantRow> = sqlx::query_as(
            "SELECT k.id AS api_key_id, u.id, u.public_uuid, u.name, u.session_timeout, \
                    u.created, u.updated, d.id AS device_id, d.permitted_ips, \
                    u.sandbox_kind \
             FROM api_keys k \
             JOIN users u ON u.id = k.user_id AND u.kind = 'PARTNER' \
             LEFT JOIN devices d ON d.id = ( \
                 SELECT MAX(id) FROM devices WHERE installation_id = $2 AND api_key_id = k.id) \
             WHERE k.key_hash = $1 AND k.revoked IS NULL",
        )
        .bind(api_key.as_str())
        .bind(installation.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(SessionGrant::try_from).transpose()
    }

    async fn list_devices(&self, user: UserId, page: PageQuery) -> StoreResult<Page<Device>> {
        let rows: Page<DeviceRow> = fetch_page(
            &self.read,
            DEVICE_COLUMNS,
            "id",
            "devices WHERE user_id = $1",
            &[Arg::Int(user.0)],
            page,
        )
        .await?;
        rows.try_map(Device::try_from)
    }

    async fn create_session(
        &self,
        session: &NewSession,
        token: &SecretHash,
    ) -> StoreResult<Session> {
        let (session, token) = (session.clone(), token.as_str().to_owned());
        let row: SessionRow = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query_as(&format!(
                        "INSERT INTO sessions (token_hash, installation_id, device_id, user_id, \
                                               created, updated, expires_at) \
                         VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING {SESSION_COLUMNS}"
                    ))
                    .bind(token)
                    .bind(session.installation_id.0)
                    .bind(session.device_id.0)
                    .bind(session.user_id.0)
                    .bind(session.now.micros())
                    .bind(session.expires_at.micros())
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        Ok(row.into())
    }

    async fn session_by_token(&self, token: &SecretHash) -> StoreResult<Option<SessionContext>> {
        // On every request whose session is not cached (or no longer): a point read
        // (`readers`).
        let row: Option<SessionContextRow> = self
            .read_optional(
                Statement::new(
                    "SELECT s.id, s.installation_id, s.device_id, s.user_id, s.created, \
                            s.updated, s.expires_at, i.client_public_key, d.permitted_ips, \
                            u.session_timeout, u.kind AS user_kind, \
                            u.partner_id AS user_partner_id, u.granted_user_id \
                     FROM sessions s \
                     JOIN installations i ON i.id = s.installation_id \
                     JOIN devices d ON d.id = s.device_id \
                     JOIN users u ON u.id = s.user_id AND u.status = 'ACTIVE' \
                     WHERE s.token_hash = $1",
                )
                .bind(token.as_str()),
            )
            .await
            .map_err(db_err)?;
        row.map(SessionContext::try_from).transpose()
    }

    async fn extend_session(
        &self,
        id: SessionId,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<()> {
        self.write(move |conn| {
            Box::pin(async move {
                // Never shorten: two requests racing to extend must not undo each other.
                sqlx::query(
                    "UPDATE sessions SET expires_at = $2, updated = $3 \
                     WHERE id = $1 AND expires_at < $2",
                )
                .bind(id.0)
                .bind(expires_at.micros())
                .bind(now.micros())
                .execute(conn)
                .await
                .map(drop)
            })
        })
        .await
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(id.0)
                    .execute(conn)
                    .await
                    .map(drop)
            })
        })
        .await
    }

    async fn credential_grant(
        &self,
        installation: InstallationId,
        token: &SecretHash,
    ) -> StoreResult<Option<CredentialGrant>> {
        let row: Option<CredentialGrantRow> = sqlx::query_as(
            "SELECT c.id AS credential_id, c.provision_id, c.status AS credential_status, \
                    c.expiry_time, ak.id AS ak_id, ak.created AS ak_created, \
                    ak.updated AS ak_updated, \
                    pu.id, pu.public_uuid, pu.name, pu.session_timeout, pu.created, pu.updated, \
                    g.id AS g_id, g.public_uuid AS g_public_uuid, g.name AS g_name, \
                    g.kind AS g_kind, g.session_timeout AS g_session_timeout, \
                    g.created AS g_created, g.updated AS g_updated, \
                    d.id AS device_id, d.permitted_ips \
             FROM credentials c \
             JOIN provisions p ON p.id = c.provision_id \
             JOIN users ak ON ak.id = p.api_key_user_id \
             JOIN users pu ON pu.id = p.partner_id \
             JOIN users g ON g.id = p.user_id \
             LEFT JOIN devices d ON d.id = ( \
                 SELECT MAX(id) FROM devices WHERE installation_id = $2 AND credential_id = c.id) \
             WHERE c.token_hash = $1",
        )
        .bind(token.as_str())
        .bind(installation.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        match row {
            Some(row) => CredentialGrant::try_from(row).map(Some),
            None => self.oauth_token_grant(installation, token).await,
        }
    }

    async fn use_credential(
        &self,
        credential: CredentialId,
        permitted_device: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let device = permitted_device.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                let used = sqlx::query(
                    "UPDATE credentials SET status = 'ACTIVE', token_value = NULL, \
                            permitted_device = $2, updated = $3 \
                     WHERE id = $1 AND status = 'PENDING_FIRST_USE'",
                )
                .bind(credential.0)
                .bind(device)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?
                .rows_affected()
                    == 1;
                if used {
                    let provision: i64 =
                        sqlx::query_scalar("SELECT provision_id FROM credentials WHERE id = $1")
                            .bind(credential.0)
                            .fetch_one(&mut *conn)
                            .await?;
                    crate::provisioning::steps::touch(
                        conn,
                        provision,
                        now,
                        "credential first used",
                    )
                    .await?;
                }
                Ok(used)
            })
        })
        .await
    }
}

impl SqlStore {
    /// An OAuth grant's access token (see `OauthTokenRow`): the same answer a provision's
    /// credential gives, so devices and sessions open through the one path.
    async fn oauth_token_grant(
        &self,
        installation: InstallationId,
        token: &SecretHash,
    ) -> StoreResult<Option<CredentialGrant>> {
        let row: Option<OauthTokenRow> = sqlx::query_as(
            "SELECT og.id AS grant_id, og.status AS grant_status, og.created AS grant_created, \
                    ak.id AS ak_id, ak.created AS ak_created, ak.updated AS ak_updated, \
                    pu.id, pu.public_uuid, pu.name, pu.session_timeout, pu.created, pu.updated, \
                    g.id AS g_id, g.public_uuid AS g_public_uuid, g.name AS g_name, \
                    CASE WHEN g.kind = 'PARTNER' THEN COALESCE(g.sandbox_kind, 'COMPANY') \
                         ELSE g.kind END AS g_kind, \
                    g.session_timeout AS g_session_timeout, \
                    g.created AS g_created, g.updated AS g_updated, \
                    d.id AS device_id, d.permitted_ips \
             FROM oauth_grants og \
             JOIN oauth_clients oc ON oc.id = og.oauth_client_id \
             JOIN users ak ON ak.id = og.api_key_user_id \
             JOIN users pu ON pu.id = oc.user_id \
             JOIN users g ON g.id = og.user_id \
             LEFT JOIN devices d ON d.id = ( \
                 SELECT MAX(id) FROM devices WHERE installation_id = $2 AND oauth_grant_id = og.id) \
             WHERE og.token_hash = $1",
        )
        .bind(token.as_str())
        .bind(installation.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(CredentialGrant::try_from).transpose()
    }
}
