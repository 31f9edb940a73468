//! A user's notification filters (spec F.2): which categories of events go to which targets.
//! The outbox reads the same table when it queues an event; a failed delivery shows the filter
//! it failed for.

use provisio_core::{model::UserId, store::StoreResult, time::Timestamp, webhook::Filter};
use sqlx::{AnyConnection, Row};

use crate::{db_err, SqlStore};

pub(super) async fn filters_of(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Vec<Filter>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT category, target FROM notification_filters WHERE user_id = $1 ORDER BY id",
    )
    .bind(user)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Filter {
                category: r.try_get("category")?,
                target: r.try_get("target")?,
            })
        })
        .collect()
}

/// Replaces the user's filters (`requested_by` is who set them).
pub(super) async fn replace(
    store: &SqlStore,
    user: UserId,
    requested_by: Option<UserId>,
    filters: &[Filter],
    now: Timestamp,
) -> StoreResult<()> {
    let filters = filters.to_vec();
    store.write(move |conn| {
        Box::pin(async move {
            // A closed user's filters stay as they were (the partner's company has no
            // provision, so its own filters pass).
            crate::frozen::writable(conn, user.0).await?;
            sqlx::query("DELETE FROM notification_filters WHERE user_id = $1")
                .bind(user.0)
                .execute(&mut *conn)
                .await?;
            for filter in filters {
                sqlx::query(
                    "INSERT INTO notification_filters (user_id, requested_by, category, target, created) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(user.0)
                .bind(requested_by.map(|u| u.0))
                .bind(filter.category)
                .bind(filter.target)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    })
    .await
}

/// The user's filters, oldest first.
pub(super) async fn list(store: &SqlStore, user: UserId) -> StoreResult<Vec<Filter>> {
    let mut conn = store.read.acquire().await.map_err(db_err)?;
    filters_of(&mut conn, user.0).await.map_err(db_err)
}
