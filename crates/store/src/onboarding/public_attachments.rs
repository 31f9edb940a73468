//! The `PublicAttachmentStore`: images named by a UUID (`AttachmentPublic`) and the avatars
//! that point at them. Reading needs no owner: they are public to every session.

use async_trait::async_trait;
use provisio_core::{
    model::UserId,
    public_attachment::{Avatar, PublicAttachment},
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

async fn avatar_in(conn: &mut AnyConnection, uuid: &str) -> Result<Option<Avatar>, sqlx::Error> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT attachment_uuid, created FROM avatars WHERE uuid = $1")
            .bind(uuid)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((attachment, created)) = row else {
        return Ok(None);
    };
    Ok(attachment_in(conn, &attachment)
        .await?
        .map(|attachment| Avatar {
            uuid: uuid.to_owned(),
            attachment,
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
        let uuid = uuid::Uuid::new_v4().to_string();
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
        let uuid = uuid::Uuid::new_v4().to_string();
        self.write(move |conn| {
            Box::pin(async move {
                frozen::writable(conn, user.0).await?;
                if attachment_in(conn, &attachment).await?.is_none() {
                    return Ok(None);
                }
                sqlx::query(
                    "INSERT INTO avatars (uuid, user_id, attachment_uuid, created) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(uuid.as_str())
                .bind(user.0)
                .bind(attachment)
                .bind(now.micros())
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
}
