use async_trait::async_trait;
use provisio_core::{
    model::{
        ApiKeyId, Device, Installation, InstallationId, NewDevice, NewSession, Page, PageBound,
        PageQuery, Session, SessionContext, SessionId, UserId,
    },
    secret::SecretHash,
    store::{ContextStore, StoreResult},
    time::Timestamp,
};
use sqlx::Row;

use crate::{
    db_err,
    rows::{
        DeviceRow, InstallationRow, SessionContextRow, SessionRow, DEVICE_COLUMNS,
        INSTALLATION_COLUMNS, SESSION_COLUMNS,
    },
    SqlStore,
};

#[async_trait]
impl ContextStore for SqlStore {
    async fn create_installation(
        &self,
        client_public_key_pem: &str,
        token: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Installation> {
        let row: InstallationRow = sqlx::query_as(&format!(
            "INSERT INTO installations (token_hash, client_public_key, created, updated) \
             VALUES ($1, $2, $3, $3) RETURNING {INSTALLATION_COLUMNS}"
        ))
        .bind(token.as_str())
        .bind(client_public_key_pem)
        .bind(now.micros())
        .fetch_one(&self.write)
        .await
        .map_err(db_err)?;
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
        let row: DeviceRow = sqlx::query_as(&format!(
            "INSERT INTO devices (installation_id, user_id, api_key_id, description, ip, \
                                  permitted_ips, status, created, updated) \
             VALUES ($1, $2, $3, $4, $5, $6, 'ACTIVE', $7, $7) RETURNING {DEVICE_COLUMNS}"
        ))
        .bind(device.installation_id.0)
        .bind(device.user_id.0)
        .bind(device.api_key_id.0)
        .bind(device.description.as_str())
        .bind(device.ip.as_str())
        .bind(device.permitted.to_stored())
        .bind(device.now.micros())
        .fetch_one(&self.write)
        .await
        .map_err(db_err)?;
        row.try_into()
    }

    async fn device_for_api_key(
        &self,
        installation: InstallationId,
        api_key: ApiKeyId,
    ) -> StoreResult<Option<Device>> {
        let row: Option<DeviceRow> = sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices \
             WHERE installation_id = $1 AND api_key_id = $2 ORDER BY id DESC LIMIT 1"
        ))
        .bind(installation.0)
        .bind(api_key.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(Device::try_from).transpose()
    }

    async fn list_devices(&self, user: UserId, page: PageQuery) -> StoreResult<Page<Device>> {
        let (bound_sql, bound) = match page.bound {
            PageBound::Newest => ("", None),
            PageBound::OlderThan(id) => (" AND id < $3", Some(id)),
            PageBound::NewerThan(id) => (" AND id > $3", Some(id)),
        };
        // A page just newer than `newer_id` is the `count` oldest of the newer items.
        let order = match page.bound {
            PageBound::NewerThan(_) => "ASC",
            _ => "DESC",
        };
        let sql = format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE user_id = $1{bound_sql} \
             ORDER BY id {order} LIMIT $2"
        );
        let mut query = sqlx::query_as::<_, DeviceRow>(&sql)
            .bind(user.0)
            .bind(i64::from(page.count));
        if let Some(bound) = bound {
            query = query.bind(bound);
        }
        let rows = query.fetch_all(&self.read).await.map_err(db_err)?;
        let mut items = rows
            .into_iter()
            .map(Device::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        if order == "ASC" {
            items.reverse();
        }
        let span =
            sqlx::query("SELECT MIN(id) AS lo, MAX(id) AS hi FROM devices WHERE user_id = $1")
                .bind(user.0)
                .fetch_one(&self.read)
                .await
                .map_err(db_err)?;
        let lo: Option<i64> = span.try_get("lo").map_err(db_err)?;
        let hi: Option<i64> = span.try_get("hi").map_err(db_err)?;
        Ok(page_of(items, |d| d.id.0, page.bound, lo, hi))
    }

    async fn create_session(
        &self,
        session: &NewSession,
        token: &SecretHash,
    ) -> StoreResult<Session> {
        let row: SessionRow = sqlx::query_as(&format!(
            "INSERT INTO sessions (token_hash, installation_id, device_id, user_id, created, \
                                   updated, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING {SESSION_COLUMNS}"
        ))
        .bind(token.as_str())
        .bind(session.installation_id.0)
        .bind(session.device_id.0)
        .bind(session.user_id.0)
        .bind(session.now.micros())
        .bind(session.expires_at.micros())
        .fetch_one(&self.write)
        .await
        .map_err(db_err)?;
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
        // Never shorten: two requests racing to extend must not undo each other.
        sqlx::query(
            "UPDATE sessions SET expires_at = $2, updated = $3 WHERE id = $1 AND expires_at < $2",
        )
        .bind(id.0)
        .bind(expires_at.micros())
        .bind(now.micros())
        .execute(&self.write)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.0)
            .execute(&self.write)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}

/// Assembles a newest-first page; `lo`/`hi` are the smallest and largest ids in the whole list.
pub(crate) fn page_of<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> i64,
    bound: PageBound,
    lo: Option<i64>,
    hi: Option<i64>,
) -> Page<T> {
    let (has_older, has_newer) = match (items.first(), items.last(), lo, hi) {
        (Some(newest), Some(oldest), Some(lo), Some(hi)) => (id(oldest) > lo, id(newest) < hi),
        // An empty page: something may still lie on the far side of the bound.
        (_, _, Some(lo), Some(hi)) => match bound {
            PageBound::Newest => (false, false),
            PageBound::OlderThan(b) => (false, hi >= b),
            PageBound::NewerThan(b) => (lo <= b, false),
        },
        _ => (false, false),
    };
    Page {
        items,
        has_older,
        has_newer,
    }
}
