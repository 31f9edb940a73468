//! The `OauthGrantStore`: authorization codes from the consent page and the grants they are
//! exchanged for (issue 19). A grant owns a `UserApiKey` user (requested by the client's
//! partner, granted by the consenting user), so the access token's sessions reach what a
//! provisioned user's credential reaches; ending a grant closes that user, which ends its
//! sessions at once (a session is read only while its user is ACTIVE).

use async_trait::async_trait;
use provisio_core::{
    model::{OauthClientId, OauthGrantId, UserId, DEFAULT_SESSION_TIMEOUT_SECS},
    provision::{
        consent::{ConsentUser, Exchanged, GrantFilter, GrantStatus, NewOauthCode, OauthGrant},
        oauth::OauthClient,
    },
    secret::SecretHash,
    store::{OauthGrantStore, StoreResult},
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::oauth::{end_grant, ClientRow, CLIENT_COLUMNS};
use crate::{db_err, rows::parse, SqlStore};

const GRANT_SELECT: &str =
    "SELECT og.id, og.oauth_client_id, oc.client_id, oc.user_id AS partner_id, og.user_id, \
            og.api_key_user_id, og.status, og.created, og.updated \
     FROM oauth_grants og JOIN oauth_clients oc ON oc.id = og.oauth_client_id";

/// Who may consent: sandbox users and provisioned users whose provision is not over.
const CONSENT_SELECT: &str = "SELECT u.id, u.name, u.kind, u.sandbox_kind FROM users u \
     WHERE u.status = 'ACTIVE' \
       AND ((u.kind = 'PARTNER' AND u.sandbox_kind IS NOT NULL) OR u.kind IN ('PERSON', 'COMPANY')) \
       AND NOT EXISTS (SELECT 1 FROM provisions p WHERE p.user_id = u.id \
                       AND p.status IN ('CANCELLED', 'CLOSED', 'FAILED'))";

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: i64,
    oauth_client_id: i64,
    client_id: String,
    partner_id: i64,
    user_id: i64,
    api_key_user_id: i64,
    status: String,
    created: i64,
    updated: i64,
}

impl TryFrom<GrantRow> for OauthGrant {
    type Error = provisio_core::StoreError;

    fn try_from(r: GrantRow) -> Result<Self, Self::Error> {
        Ok(OauthGrant {
            id: OauthGrantId(r.id),
            oauth_client_id: OauthClientId(r.oauth_client_id),
            client_id: r.client_id,
            partner: UserId(r.partner_id),
            user: UserId(r.user_id),
            api_key_user: UserId(r.api_key_user_id),
            status: parse(GrantStatus::parse, &r.status)?,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ConsentRow {
    id: i64,
    name: String,
    kind: String,
    sandbox_kind: Option<String>,
}

impl From<ConsentRow> for ConsentUser {
    fn from(r: ConsentRow) -> Self {
        let kind = match (r.kind.as_str(), r.sandbox_kind.as_deref()) {
            ("PARTNER", Some("COMPANY")) => "sandbox company",
            ("PARTNER", _) => "sandbox person",
            ("COMPANY", _) => "provisioned company",
            _ => "provisioned person",
        };
        ConsentUser {
            id: UserId(r.id),
            name: r.name,
            kind: kind.to_owned(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CodeRow {
    id: i64,
    oauth_client_id: i64,
    user_id: i64,
    redirect_uri: String,
    state: String,
    expires_at: i64,
    used: Option<i64>,
}

async fn grant_in(conn: &mut AnyConnection, id: i64) -> Result<Option<GrantRow>, sqlx::Error> {
    sqlx::query_as(&format!("{GRANT_SELECT} WHERE og.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// What a code comes to, read and used up inside the exchange's write.
async fn exchange(
    conn: &mut AnyConnection,
    code: String,
    client: OauthClientId,
    redirect_uri: String,
    token: String,
    now: Timestamp,
) -> Result<Result<(GrantRow, String), &'static str>, sqlx::Error> {
    let row: Option<CodeRow> = sqlx::query_as(
        "SELECT id, oauth_client_id, user_id, redirect_uri, state, expires_at, used \
         FROM oauth_codes WHERE code_hash = $1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Err("The authorization code is unknown."));
    };
    if row.oauth_client_id != client.0 {
        return Ok(Err("The authorization code was issued to another client."));
    }
    if row.used.is_some() {
        return Ok(Err("The authorization code was already used."));
    }
    if now.micros() >= row.expires_at {
        return Ok(Err(
            "The authorization code expired (codes last 10 minutes).",
        ));
    }
    if row.redirect_uri != redirect_uri {
        return Ok(Err(
            "redirect_uri is not the one the authorization code was issued for.",
        ));
    }
    let partner: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM oauth_clients WHERE id = $1 AND status = 'ACTIVE'")
            .bind(client.0)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(partner) = partner else {
        return Ok(Err("The client is no longer ACTIVE."));
    };
    let user_active: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND status = 'ACTIVE'")
            .bind(row.user_id)
            .fetch_one(&mut *conn)
            .await?;
    if user_active == 0 {
        return Ok(Err("The user who consented is no longer active."));
    }
    // Used up first, conditionally: of two exchanges at once only one gets the grant.
    let used = sqlx::query("UPDATE oauth_codes SET used = $2 WHERE id = $1 AND used IS NULL")
        .bind(row.id)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if used != 1 {
        return Ok(Err("The authorization code was already used."));
    }
    let api_key_user: i64 = sqlx::query_scalar(
        "INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, \
                            granted_user_id, created, updated) \
         VALUES ('API_KEY', $1, 'API key', $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(provisio_core::ids::fresh_uuid().to_string())
    .bind(DEFAULT_SESSION_TIMEOUT_SECS)
    .bind(partner)
    .bind(row.user_id)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let grant: i64 = sqlx::query_scalar(
        "INSERT INTO oauth_grants (oauth_client_id, user_id, api_key_user_id, token_hash, \
                                   status, created, updated) \
         VALUES ($1, $2, $3, $4, 'ACTIVE', $5, $5) RETURNING id",
    )
    .bind(client.0)
    .bind(row.user_id)
    .bind(api_key_user)
    .bind(token)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let grant = grant_in(conn, grant)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    Ok(Ok((grant, row.state)))
}

#[async_trait]
impl OauthGrantStore for SqlStore {
    async fn oauth_client_by_client_id(&self, client_id: &str) -> StoreResult<Option<OauthClient>> {
        let row: Option<ClientRow> = sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE client_id = $1"
        ))
        .bind(client_id)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        match row {
            Some(row) => {
                let urls = self.urls_of(row.id).await?;
                Ok(Some(row.with_urls(urls)))
            }
            None => Ok(None),
        }
    }

    async fn consent_users(&self, except: UserId, limit: u32) -> StoreResult<Vec<ConsentUser>> {
        let rows: Vec<ConsentRow> = sqlx::query_as(&format!(
            "{CONSENT_SELECT} AND u.id <> $1 ORDER BY u.id LIMIT $2"
        ))
        .bind(except.0)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(ConsentUser::from).collect())
    }

    async fn consent_user(&self, user: UserId) -> StoreResult<Option<ConsentUser>> {
        let row: Option<ConsentRow> = sqlx::query_as(&format!("{CONSENT_SELECT} AND u.id = $1"))
            .bind(user.0)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        Ok(row.map(ConsentUser::from))
    }

    async fn create_oauth_code(&self, code: &NewOauthCode, now: Timestamp) -> StoreResult<()> {
        let code = code.clone();
        self.write(move |conn| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO oauth_codes (code_hash, oauth_client_id, user_id, redirect_uri, \
                                              state, expires_at, created) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(code.code.as_str().to_owned())
                .bind(code.oauth_client_id.0)
                .bind(code.user.0)
                .bind(code.redirect_uri)
                .bind(code.state)
                .bind(code.expires_at.micros())
                .bind(now.micros())
                .execute(conn)
                .await
                .map(drop)
            })
        })
        .await
    }

    async fn exchange_oauth_code(
        &self,
        code: &SecretHash,
        client: OauthClientId,
        redirect_uri: &str,
        token: &SecretHash,
        now: Timestamp,
    ) -> StoreResult<Exchanged> {
        let (code, redirect_uri, token) = (
            code.as_str().to_owned(),
            redirect_uri.to_owned(),
            token.as_str().to_owned(),
        );
        let outcome = self
            .write(move |conn| Box::pin(exchange(conn, code, client, redirect_uri, token, now)))
            .await?;
        Ok(match outcome {
            Ok((grant, state)) => Exchanged::Granted {
                grant: grant.try_into()?,
                state,
            },
            Err(why) => Exchanged::Refused(why),
        })
    }

    async fn oauth_grants(&self, filter: GrantFilter) -> StoreResult<Vec<OauthGrant>> {
        let (clause, id) = match filter {
            GrantFilter::All => ("$1 = $1", 0),
            GrantFilter::User(user) => ("og.user_id = $1", user.0),
            GrantFilter::Client(client) => ("og.oauth_client_id = $1", client.0),
        };
        let rows: Vec<GrantRow> = sqlx::query_as(&format!(
            "{GRANT_SELECT} WHERE {clause} ORDER BY og.id DESC"
        ))
        .bind(id)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        rows.into_iter().map(OauthGrant::try_from).collect()
    }

    async fn oauth_grant(&self, id: OauthGrantId) -> StoreResult<Option<OauthGrant>> {
        let row: Option<GrantRow> = sqlx::query_as(&format!("{GRANT_SELECT} WHERE og.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)?;
        row.map(OauthGrant::try_from).transpose()
    }

    async fn revoke_oauth_grant(
        &self,
        id: OauthGrantId,
        now: Timestamp,
    ) -> StoreResult<Option<OauthGrant>> {
        let row = self
            .write(move |conn| {
                Box::pin(async move {
                    end_grant(conn, id.0, now).await?;
                    grant_in(conn, id.0).await
                })
            })
            .await?;
        row.map(OauthGrant::try_from).transpose()
    }
}
