//! An `avatar_uuid` (of an account or a user) checked inside the write that sets it: an
//! avatar must have it. Common, since banking (accounts) and onboarding (users) both set one.

use provisio_core::{public_attachment::avatar_not_found, StoreError};
use sqlx::AnyConnection;

use crate::frozen;

/// Refuses (`Refused`, 400) an `avatar_uuid` no avatar has; the write then changes nothing.
pub(crate) async fn exists(conn: &mut AnyConnection, uuid: &str) -> Result<(), sqlx::Error> {
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM avatars WHERE uuid = $1")
        .bind(uuid)
        .fetch_one(&mut *conn)
        .await?;
    if found == 0 {
        return Err(frozen::refuse(StoreError::Refused(avatar_not_found(uuid))));
    }
    Ok(())
}
