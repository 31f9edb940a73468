use async_trait::async_trait;
use provisio_core::{
    model::{ApiKeyId, Partner, UserId, DEFAULT_SESSION_TIMEOUT_SECS},
    secret::SecretHash,
    store::{PartnerStore, StoreResult},
    time::Timestamp,
};
use sqlx::Row;

use crate::{
    db_err,
    rows::{PartnerRow, PARTNER_COLUMNS},
    SqlStore,
};

#[async_trait]
impl PartnerStore for SqlStore {
    async fn create_partner(
        &self,
        name: &str,
        public_uuid: &str,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Partner> {
        let (name, public_uuid, key) = (name.to_owned(), public_uuid.to_owned(), api_key.clone());
        self.write(move |conn| {
            Box::pin(async move {
                let partner: PartnerRow = sqlx::query_as(&format!(
                    "INSERT INTO users (kind, public_uuid, name, session_timeout, created, updated) \
                     VALUES ('PARTNER', $1, $2, $3, $4, $4) RETURNING {PARTNER_COLUMNS}"
                ))
                .bind(public_uuid)
                .bind(name)
                .bind(DEFAULT_SESSION_TIMEOUT_SECS)
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await?;
                let partner = Partner::from(partner);
                sqlx::query("INSERT INTO api_keys (user_id, key_hash, created) VALUES ($1, $2, $3)")
                    .bind(partner.id.0)
                    .bind(key.as_str().to_owned())
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                Ok(partner)
            })
        })
        .await
    }

    async fn list_partners(&self) -> StoreResult<Vec<Partner>> {
        let rows: Vec<PartnerRow> = sqlx::query_as(&format!(
            "SELECT {PARTNER_COLUMNS} FROM users WHERE kind = 'PARTNER' ORDER BY id"
        ))
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(Partner::from).collect())
    }

    async fn partner(&self, id: UserId) -> StoreResult<Option<Partner>> {
        let row: Option<PartnerRow> = sqlx::query_as(&format!(
            "SELECT {PARTNER_COLUMNS} FROM users WHERE id = $1 AND kind = 'PARTNER'"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        Ok(row.map(Partner::from))
    }

    async fn partner_by_api_key(
        &self,
        key: &SecretHash,
    ) -> StoreResult<Option<(Partner, ApiKeyId)>> {
        let row = sqlx::query(
            "SELECT k.id AS api_key_id, u.id, u.public_uuid, u.name, u.session_timeout, \
                    u.created, u.updated \
             FROM api_keys k JOIN users u ON u.id = k.user_id \
             WHERE k.key_hash = $1 AND k.revoked IS NULL AND u.kind = 'PARTNER'",
        )
        .bind(key.as_str())
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let key_id: i64 = row.try_get("api_key_id").map_err(db_err)?;
        let partner: PartnerRow = sqlx::FromRow::from_row(&row).map_err(db_err)?;
        Ok(Some((partner.into(), ApiKeyId(key_id))))
    }
}
