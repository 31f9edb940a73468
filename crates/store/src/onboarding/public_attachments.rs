//! The `PublicAttachmentStore`: images named by a UUID (`AttachmentPublic`) and the avatars
//! that point at them. Reading needs no owner: they are public to every session.

use async_trait::async_trait;
use provisio_core::{
    model::UserId,
    public_attachment::{dimensions, Avatar, PublicAttachment},
    store::{PublicAttachmentStore, StoreResult},
    time::Timestamp,
};
use sqlx::AnyConnection;

use crate::{db_err, frozen, SqlStore};

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    uuid: String,
    user_id: i64,
    content_type: String,
    description: Option<String>,
    created: i64,
}

impl From<AttachmentRow> for PublicAttachment {
    fn from(r: AttachmentRow) -> Self {
        PublicAttachment {
            uuid: r.uuid,
            user_id: UserId(r.user_id),
            content_type: r.content_type,
            description: r.description,
            created: Timestamp(r.created),
        }
    }
}

async fn attachment_in(
    conn: &mut AnyConnection,
    uuid: &str,
) -> Result<Option<PublicAttachment>, sqlx::Error> {
    let row: Option<AttachmentRow> = sqlx::query_as(
        "SELECT uuid, user_id, content_type, description, created FROM public_attachments \
         WHERE uuid = $1",
    )
    .bind(uuid)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(PublicAttachment::from))
}

/// The size of the image `attachment`, read from its header (0×0 if it says none).
async fn measure(conn: &mut AnyConnection, attachment: &str) -> Result<(u32, u32), sqlx::Error> {
    let content: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT content FROM public_attachments WHERE uuid = $1")
            .bind(attachment)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(content.as_deref().and_then(dimensions).unwrap_or((0, 0)))
}

pub(crate) async fn avatar_in(
    conn: &mut AnyConnection,
    uuid: &str,
) -> Result<Option<Avatar>, sqlx::Error> {
    let row: Option<(String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT attachment_uuid, created, width, height FROM avatars WHERE uuid = $1",
    )
    .bind(uuid)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((attachment_uuid, created, width, height)) = row else {
        return Ok(None);
    };
    let Some(attachment) = attachment_in(conn, &attachment_uuid).await? else {
        return Ok(None);
    };
    // An avatar made before its size was stored is measured now.
    let (width, height) = match (width, height) {
        (Some(w), Some(h)) => (
            u32::try_from(w).unwrap_or_default(),
            u32::try_from(h).unwrap_or_default(),
        ),
        _ => measure(conn, &attachment_uuid).await?,
    };
    Ok(Some(Avatar {
        uuid: uuid.to_owned(),
        attachment,
        width,
        height,
        created: Timestamp(created),
    }))
}

#[async_trait]
impl PublicAttachmentStore for SqlStore {
    async fn store_public_attachment(
        &self,
        user: UserId,
        content_type: &str,
        description: Option<&str>,
        content: Vec<u8>,
        now: Timestamp,
    ) -> StoreResult<String> {
        let (content_type, description) = (content_type.to_owned(), description.map(str::to_owned));
        let uuid = provisio_core::ids::fresh_uuid().to_string();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                sqlx::query(
                    "INSERT INTO public_attachments (uuid, user_id, content_type, description, \
                         content, created) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(uuid.as_str())
                .bind(user.0)
                .bind(content_type)
                .bind(description)
                .bind(content)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
                Ok(uuid)
            })
        })
        .await
    }

    async fn public_attachment(&self, uuid: &str) -> StoreResult<Option<PublicAttachment>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        attachment_in(&mut conn, uuid).await.map_err(db_err)
    }

    async fn public_attachment_content(&self, uuid: &str) -> StoreResult<Option<Vec<u8>>> {
        sqlx::query_scalar("SELECT content FROM public_attachments WHERE uuid = $1")
            .bind(uuid)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)
    }

    async fn create_avatar(
        &self,
        user: UserId,
        attachment: &str,
        now: Timestamp,
    ) -> StoreResult<Option<Avatar>> {
        let attachment = attachment.to_owned();
        let uuid = provisio_core::ids::fresh_uuid().to_string();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                if attachment_in(conn, &attachment).await?.is_none() {
                    return Ok(None);
                }
                let (width, height) = measure(conn, &attachment).await?;
                sqlx::query(
                    "INSERT INTO avatars (uuid, user_id, attachment_uuid, created, width, height) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(uuid.as_str())
                .bind(user.0)
                .bind(attachment)
                .bind(now.micros())
                .bind(i64::from(width))
                .bind(i64::from(height))
                .execute(&mut *conn)
                .await?;
                avatar_in(conn, &uuid).await
            })
        })
        .await
    }

    async fn avatar(&self, uuid: &str) -> StoreResult<Option<Avatar>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        avatar_in(&mut conn, uuid).await.map_err(db_err)
    }

    async fn user_avatar(&self, user: UserId) -> StoreResult<Option<Avatar>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let uuid: Option<Option<String>> =
            sqlx::query_scalar("SELECT avatar_uuid FROM users WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db_err)?;
        match uuid.flatten() {
            Some(uuid) => avatar_in(&mut conn, &uuid).await.map_err(db_err),
            None => Ok(None),
        }
    }

    async fn set_user_avatar(
        &self,
        user: UserId,
        avatar_uuid: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        let avatar_uuid = avatar_uuid.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                crate::avatars::exists(conn, &avatar_uuid).await?;
                sqlx::query("UPDATE users SET avatar_uuid = $2, updated = $3 WHERE id = $1")
                    .bind(user.0)
                    .bind(avatar_uuid)
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await
    }
}
