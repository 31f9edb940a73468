use crate::{
    db_err,
    page::{fetch_page, Arg},
    rows::{
        DeviceRow, InstallationRow, SessionContextRow, SessionGrantRow, SessionRow, DEVICE_COLUMNS,
        INSTALLATION_COLUMNS, SESSION_COLUMNS,
    },
    SqlStore,
};
use async_trait::async_trait;
use provisio_core::{
    model::{
        Device, Installation, InstallationId, NewDevice, NewSession, Page, PageQuery, Session,
        SessionContext, SessionGrant, SessionId, UserId,
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
        let row: Option<InstallationRow> = sqlx::query_as(&format!(
            "SELECT {INSTALLATION_COLUMNS} FROM installations WHERE token_hash = $1"
        ))
        .bind(token.as_str())
        .fetch_optional(&self.read)
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
                        "INSERT INTO devices (installation_id, user_id, api_key_id, description, \
                                              ip, permitted_ips, status, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $7) RETURNING {DEVICE_COLUMNS}"
                    ))
                    .bind(device.installation_id.0)
                    .bind(device.user_id.0)
                    .bind(device.api_key_id.0)
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
                    u.created, u.updated, d.id AS device_id, d.permitted_ips \
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
            "devices WHERE user_id = $1",
            &[Arg::Int(user.0)],
            page,
        )
        .await?;
        Ok(Page {
            items: rows
                .items
                .into_iter()
                .map(Device::try_from)
                .collect::<StoreResult<Vec<_>>>()?,
            has_older: rows.has_older,
            has_newer: rows.has_newer,
        })
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
        let row: Option<SessionContextRow> = sqlx::query_as(
            "SELECT s.id, s.installation_id, s.device_id, s.user_id, s.created, s.updated, \
                    s.expires_at, i.client_public_key, d.permitted_ips, u.session_timeout \
             FROM sessions s \
             JOIN installations i ON i.id = s.installation_id \
             JOIN devices d ON d.id = s.device_id \
             JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1",
        )
        .bind(token.as_str())
        .fetch_optional(&self.read)
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
}
