//! Sandbox users: partners created by `POST /v1/sandbox-user-person` (or `-company`),
//! remembered as the bunq user they stand for (`users.sandbox_kind`), with their EMAIL and
//! PHONE_NUMBER pointers (`aliases`, which banking's `pointers` resolves).

use async_trait::async_trait;
use provisio_core::{
    account::{pointer::Pointer, NewAccount},
    model::{Partner, UserId, DEFAULT_SESSION_TIMEOUT_SECS},
    sandbox_user::{NewSandboxUser, SandboxUser, SandboxUserKind},
    secret::SecretHash,
    store::{SandboxUserStore, StoreResult},
    time::Timestamp,
};

use super::rows::{PartnerRow, PARTNER_COLUMNS};
use crate::{db_err, rows::parse, SqlStore};

/// The user's pointers, oldest first.
async fn aliases(store: &SqlStore, user: UserId) -> StoreResult<Vec<Pointer>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT type, value FROM aliases WHERE user_id = $1 ORDER BY id")
            .bind(user.0)
            .fetch_all(&store.read)
            .await
            .map_err(db_err)?;
    Ok(rows
        .iter()
        .filter_map(|(kind, value)| Pointer::stored(kind, value, ""))
        .collect())
}

#[async_trait]
impl SandboxUserStore for SqlStore {
    async fn create_sandbox_user(
        &self,
        user: &NewSandboxUser,
        api_key: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<SandboxUser> {
        crate::banking::accounts::with_fresh_iban(|iban| {
            let (user, key) = (user.clone(), api_key.clone());
            self.write(move |conn| {
                Box::pin(async move {
                    let row: PartnerRow = sqlx::query_as(&format!(
                        "INSERT INTO users (kind, public_uuid, name, session_timeout, sandbox_kind, created, updated) \
                         VALUES ('PARTNER', $1, $2, $3, $4, $5, $5) RETURNING {PARTNER_COLUMNS}"
                    ))
                    .bind(user.public_uuid.clone())
                    .bind(user.name.clone())
                    .bind(DEFAULT_SESSION_TIMEOUT_SECS)
                    .bind(user.kind.as_str())
                    .bind(now.micros())
                    .fetch_one(&mut *conn)
                    .await?;
                    let partner = Partner::from(row);
                    sqlx::query(
                        "INSERT INTO api_keys (user_id, key_hash, created) VALUES ($1, $2, $3)",
                    )
                    .bind(partner.id.0)
                    .bind(key.as_str().to_owned())
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                    let aliases = vec![
                        Pointer::Email(user.email.clone()),
                        Pointer::Phone(user.phone.clone()),
                    ];
                    for alias in &aliases {
                        sqlx::query(
                            "INSERT INTO aliases (user_id, type, value, created) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(partner.id.0)
                        .bind(alias.kind())
                        .bind(alias.value().to_owned())
                        .bind(now.micros())
                        .execute(&mut *conn)
                        .await?;
                    }
                    let main = NewAccount::main_account(&partner.name);
                    crate::banking::accounts::insert(conn, partner.id.0, &main, &iban, now)
                        .await?;
                    Ok(SandboxUser {
                        partner,
                        kind: user.kind,
                        aliases,
                    })
                })
            })
        })
        .await
    }

    async fn sandbox_user(&self, id: UserId) -> StoreResult<Option<SandboxUser>> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT sandbox_kind FROM users \
             WHERE id = $1 AND kind = 'PARTNER' AND sandbox_kind IS NOT NULL",
        )
        .bind(id.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let Some((kind,)) = row else { return Ok(None) };
        let partner: Option<PartnerRow> = sqlx::query_as(&format!(
            "SELECT {PARTNER_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let Some(partner) = partner else {
            return Ok(None);
        };
        Ok(Some(SandboxUser {
            partner: partner.into(),
            kind: parse(SandboxUserKind::parse, &kind)?,
            aliases: aliases(self, id).await?,
        }))
    }

    async fn sandbox_user_kinds(&self) -> StoreResult<Vec<(UserId, SandboxUserKind)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, sandbox_kind FROM users \
             WHERE kind = 'PARTNER' AND sandbox_kind IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, kind)| Ok((UserId(id), parse(SandboxUserKind::parse, &kind)?)))
            .collect()
    }
}
