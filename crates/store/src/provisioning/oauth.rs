use async_trait::async_trait;
use provisio_core::{
    model::{CallbackUrlId, OauthClientId, Page, PageQuery, UserId},
    provision::oauth::{CallbackUrl, OauthClient, OauthClientStatus},
    store::{OauthStore, StoreResult},
    time::Timestamp,
};
use sqlx::AnyConnection;

use crate::{
    batch::Statement,
    db_err,
    page::{fetch_page, Arg},
    SqlStore,
};

pub(super) const CLIENT_COLUMNS: &str =
    "id, user_id, status, display_name, client_id, secret, created, updated";
const URL_COLUMNS: &str = "id, oauth_client_id, url, created, updated";

#[derive(sqlx::FromRow)]
pub(super) struct ClientRow {
    pub(super) id: i64,
    user_id: i64,
    status: String,
    display_name: Option<String>,
    client_id: String,
    secret: String,
    created: i64,
    updated: i64,
}

#[derive(sqlx::FromRow)]
struct UrlRow {
    id: i64,
    oauth_client_id: i64,
    url: String,
    created: i64,
    updated: i64,
}

impl From<UrlRow> for CallbackUrl {
    fn from(r: UrlRow) -> Self {
        CallbackUrl {
            id: CallbackUrlId(r.id),
            oauth_client_id: OauthClientId(r.oauth_client_id),
            url: r.url,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        }
    }
}

impl ClientRow {
    pub(super) fn with_urls(self, urls: Vec<CallbackUrl>) -> OauthClient {
        OauthClient {
            id: OauthClientId(self.id),
            user_id: UserId(self.user_id),
            status: self.status,
            display_name: self.display_name,
            client_id: self.client_id,
            secret: self.secret,
            callback_urls: urls,
            created: Timestamp(self.created),
            updated: Timestamp(self.updated),
        }
    }
}

impl SqlStore {
    pub(super) async fn urls_of(&self, client: i64) -> StoreResult<Vec<CallbackUrl>> {
        let rows: Vec<UrlRow> = sqlx::query_as(&format!(
            "SELECT {URL_COLUMNS} FROM oauth_callback_urls WHERE oauth_client_id = $1 ORDER BY id"
        ))
        .bind(client)
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(CallbackUrl::from).collect())
    }
}

/// Whether `client` exists and belongs to `user`, inside a write.
async fn owns(
    conn: &mut AnyConnection,
    user: UserId,
    client: OauthClientId,
) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM oauth_clients WHERE id = $1 AND user_id = $2")
            .bind(client.0)
            .bind(user.0)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// Whether the user `$1` has an active OAuth client with a callback URL (J-14): a condition,
/// asked before a new provision inside the statement that inserts it (`provisions`).
macro_rules! usable_client {
    () => {
        "EXISTS (SELECT 1 FROM oauth_clients oc \
                 WHERE oc.user_id = $1 AND oc.status = 'ACTIVE' \
                   AND EXISTS (SELECT 1 FROM oauth_callback_urls cu \
                               WHERE cu.oauth_client_id = oc.id))"
    };
}
pub(crate) use usable_client;

#[async_trait]
impl OauthStore for SqlStore {
    async fn create_oauth_client(
        &self,
        user: UserId,
        status: OauthClientStatus,
        client_id: &str,
        secret: &str,
        now: Timestamp,
    ) -> StoreResult<OauthClient> {
        let (client_id, secret) = (client_id.to_owned(), secret.to_owned());
        let row: ClientRow = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query_as(&format!(
                        "INSERT INTO oauth_clients (user_id, status, client_id, secret, created, updated) \
                         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {CLIENT_COLUMNS}"
                    ))
                    .bind(user.0)
                    .bind(status.as_str())
                    .bind(client_id)
                    .bind(secret)
                    .bind(now.micros())
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        Ok(row.with_urls(Vec::new()))
    }

    async fn list_oauth_clients(
        &self,
        user: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<OauthClient>> {
        let rows: Page<ClientRow> = fetch_page(
            &self.read,
            CLIENT_COLUMNS,
            "id",
            "oauth_clients WHERE user_id = $1",
            &[Arg::Int(user.0)],
            page,
        )
        .await?;
        let mut items = Vec::with_capacity(rows.items.len());
        for row in rows.items {
            let urls = self.urls_of(row.id).await?;
            items.push(row.with_urls(urls));
        }
        Ok(Page {
            items,
            has_older: rows.has_older,
            has_newer: rows.has_newer,
        })
    }

    async fn oauth_client(
        &self,
        user: UserId,
        id: OauthClientId,
    ) -> StoreResult<Option<OauthClient>> {
        let row: Option<ClientRow> = sqlx::query_as(&format!(
            "SELECT {CLIENT_COLUMNS} FROM oauth_clients WHERE id = $1 AND user_id = $2"
        ))
        .bind(id.0)
        .bind(user.0)
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

    async fn set_oauth_client_status(
        &self,
        user: UserId,
        id: OauthClientId,
        status: OauthClientStatus,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                let n = sqlx::query(
                    "UPDATE oauth_clients SET status = $3, updated = $4 WHERE id = $1 AND user_id = $2",
                )
                .bind(id.0)
                .bind(user.0)
                .bind(status.as_str())
                .bind(now.micros())
                .execute(&mut *conn)
                .await?
                .rows_affected();
                // A cancelled client's grants end with it (issue 19).
                if n > 0 && status == OauthClientStatus::Cancelled {
                    end_client_grants(conn, id, now).await?;
                }
                Ok(n > 0)
            })
        })
        .await
    }

    async fn add_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        url: &str,
        now: Timestamp,
    ) -> StoreResult<Option<CallbackUrl>> {
        let url = url.to_owned();
        let row: Option<UrlRow> = self
            .write(move |conn| {
                Box::pin(async move {
                    if !owns(conn, user, client).await? {
                        return Ok(None);
                    }
                    sqlx::query_as(&format!(
                        "INSERT INTO oauth_callback_urls (oauth_client_id, url, created, updated) \
                         VALUES ($1, $2, $3, $3) RETURNING {URL_COLUMNS}"
                    ))
                    .bind(client.0)
                    .bind(url)
                    .bind(now.micros())
                    .fetch_one(conn)
                    .await
                    .map(Some)
                })
            })
            .await?;
        Ok(row.map(CallbackUrl::from))
    }

    async fn update_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        id: CallbackUrlId,
        url: &str,
        now: Timestamp,
    ) -> StoreResult<Option<CallbackUrl>> {
        let url = url.to_owned();
        let row: Option<UrlRow> = self
            .write(move |conn| {
                Box::pin(async move {
                    if !owns(conn, user, client).await? {
                        return Ok(None);
                    }
                    sqlx::query_as(&format!(
                        "UPDATE oauth_callback_urls SET url = $3, updated = $4 \
                         WHERE id = $1 AND oauth_client_id = $2 RETURNING {URL_COLUMNS}"
                    ))
                    .bind(id.0)
                    .bind(client.0)
                    .bind(url)
                    .bind(now.micros())
                    .fetch_optional(conn)
                    .await
                })
            })
            .await?;
        Ok(row.map(CallbackUrl::from))
    }

    async fn delete_callback_url(
        &self,
        user: UserId,
        client: OauthClientId,
        id: CallbackUrlId,
    ) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                if !owns(conn, user, client).await? {
                    return Ok(false);
                }
                let n = sqlx::query(
                    "DELETE FROM oauth_callback_urls WHERE id = $1 AND oauth_client_id = $2",
                )
                .bind(id.0)
                .bind(client.0)
                .execute(conn)
                .await?
                .rows_affected();
                Ok(n > 0)
            })
        })
        .await
    }

    async fn has_usable_oauth_client(&self, user: UserId) -> StoreResult<bool> {
        // A point read (`readers`), on the partner's clients. A new provision asks the same
        // inside the statement that inserts it (`create_provision`).
        let found: Option<i64> = self
            .read_scalar(Statement::new(concat!("SELECT 1 WHERE ", usable_client!())).bind(user.0))
            .await
            .map_err(db_err)?;
        Ok(found.is_some())
    }
}

/// Ends every active grant `client` holds, inside the write that cancels it.
async fn end_client_grants(
    conn: &mut AnyConnection,
    client: OauthClientId,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let grants: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM oauth_grants WHERE oauth_client_id = $1 AND status = 'ACTIVE'",
    )
    .bind(client.0)
    .fetch_all(&mut *conn)
    .await?;
    for grant in grants {
        end_grant(conn, grant, now).await?;
    }
    Ok(())
}

/// The grant goes REVOKED, its `UserApiKey` user CLOSED and its sessions away. Here, not in
/// `grants`, because cancelling a client ends its grants (and `grants` reads clients).
pub(super) async fn end_grant(
    conn: &mut AnyConnection,
    grant: i64,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let ended = sqlx::query(
        "UPDATE oauth_grants SET status = 'REVOKED', updated = $2 WHERE id = $1 AND status = 'ACTIVE'",
    )
    .bind(grant)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if ended {
        let user: i64 =
            sqlx::query_scalar("SELECT api_key_user_id FROM oauth_grants WHERE id = $1")
                .bind(grant)
                .fetch_one(&mut *conn)
                .await?;
        sqlx::query("UPDATE users SET status = 'CLOSED', updated = $2 WHERE id = $1")
            .bind(user)
            .bind(now.micros())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user)
            .execute(&mut *conn)
            .await?;
    }
    Ok(ended)
}
