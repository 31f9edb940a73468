use async_trait::async_trait;
use provisio_core::{
    account::NewAccount,
    model::{ApiKeyId, Partner, UserId, UserKind, UserRecord, DEFAULT_SESSION_TIMEOUT_SECS},
    secret::SecretHash,
    store::{PartnerStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::Row;

use super::rows::{PartnerRow, PARTNER_COLUMNS};
use crate::{batch::Statement, db_err, SqlStore};

#[async_trait]
impl PartnerStore for SqlStore {
    async fn create_partner(
        &self,
        name: &str,
        public_uuid: &str,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Partner> {
        // The partner starts with one EUR account, opened in the same transaction.
        crate::banking::accounts::with_fresh_iban(|iban| {
            let (name, public_uuid, key) =
                (name.to_owned(), public_uuid.to_owned(), api_key.clone());
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
                    sqlx::query(
                        "INSERT INTO api_keys (user_id, key_hash, created) VALUES ($1, $2, $3)",
                    )
                    .bind(partner.id.0)
                    .bind(key.as_str().to_owned())
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                    let main = NewAccount::main_account(&partner.name);
                    crate::banking::accounts::insert(conn, partner.id.0, &main, &iban, now).await?;
                    Ok(partner)
                })
            })
        })
        .await
    }

    async fn add_api_key(
        &self,
        partner: UserId,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let key = api_key.as_str().to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                let exists: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM users WHERE id = $1 AND kind = 'PARTNER'",
                )
                .bind(partner.0)
                .fetch_one(&mut *conn)
                .await?;
                if exists == 0 {
                    return Ok(false);
                }
                sqlx::query(
                    "INSERT INTO api_keys (user_id, key_hash, created) VALUES ($1, $2, $3)",
                )
                .bind(partner.0)
                .bind(key)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                Ok(true)
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

    async fn user(&self, id: UserId) -> StoreResult<Option<UserRecord>> {
        // Every user-scoped request reads it: a point read (`readers`).
        let rows = self
            .read_rows(
                Statement::new(
                    "SELECT id, kind, public_uuid, name, session_timeout, status, partner_id, \
                            granted_user_id, created, updated FROM users WHERE id = $1",
                )
                .bind(id.0),
            )
            .await
            .map_err(db_err)?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let get_i64 = |name: &str| row.try_get::<i64, _>(name).map_err(db_err);
        let get_opt = |name: &str| row.try_get::<Option<i64>, _>(name).map_err(db_err);
        let text = |name: &str| row.try_get::<String, _>(name).map_err(db_err);
        let kind = match text("kind")?.as_str() {
            "PARTNER" => UserKind::Partner,
            "PERSON" => UserKind::Person,
            "COMPANY" => UserKind::Company,
            "API_KEY" => UserKind::ApiKey,
            other => return Err(StoreError::Corrupt(format!("user kind {other}"))),
        };
        Ok(Some(UserRecord {
            id: UserId(get_i64("id")?),
            kind,
            public_uuid: text("public_uuid")?,
            name: text("name")?,
            session_timeout_secs: get_i64("session_timeout")?,
            active: text("status")? == "ACTIVE",
            partner_id: get_opt("partner_id")?.map(UserId),
            granted_user_id: get_opt("granted_user_id")?.map(UserId),
            created: Timestamp(get_i64("created")?),
            updated: Timestamp(get_i64("updated")?),
        }))
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
