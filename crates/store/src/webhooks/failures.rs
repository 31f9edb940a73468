//! Failed deliveries as a partner sees them (its own and those of the users it provisioned),
//! and sending them once more as a final attempt.

use provisio_core::{
    model::{Page, PageQuery, UserId},
    store::StoreResult,
    time::Timestamp,
    webhook::DeliveryFailure,
};

use super::filters::{filters_of, Scope};
use crate::{
    db_err,
    page::{fetch_page, Arg},
    SqlStore,
};

#[derive(sqlx::FromRow)]
struct FailureRow {
    id: i64,
    created: i64,
    updated: i64,
    category: String,
    event_type: String,
    object_id: i64,
    target: String,
    response_code: Option<i64>,
    exception_message: Option<String>,
    user_id: i64,
    user_requested_id: Option<i64>,
}

const FAILURE_COLUMNS: &str = "d.id, d.created, d.updated, d.category, d.event_type, d.object_id, \
    d.target, d.response_code, d.exception_message, d.user_id, d.user_requested_id";

/// Failed deliveries of a partner and of the users it provisioned.
const PARTNER_FAILURES: &str = "deliveries d JOIN users u ON u.id = d.user_id \
    WHERE d.status = 'FAILED' AND (d.user_id = $1 OR u.partner_id = $1)";

/// A page of the partner's failed deliveries, each with the filter it failed for.
pub(super) async fn list(
    store: &SqlStore,
    partner: UserId,
    page: PageQuery,
) -> StoreResult<Page<DeliveryFailure>> {
    let rows: Page<FailureRow> = fetch_page(
        &store.read,
        FAILURE_COLUMNS,
        "d.id",
        PARTNER_FAILURES,
        &[Arg::Int(partner.0)],
        page,
    )
    .await?;
    let mut conn = store.read.acquire().await.map_err(db_err)?;
    let mut items = Vec::with_capacity(rows.items.len());
    for r in rows.items {
        // Only the filter whose delivery failed, not the user's others of the category.
        let filters = filters_of(&mut conn, r.user_id, Scope::Any)
            .await
            .map_err(db_err)?
            .into_iter()
            .filter(|f| f.category == r.category && f.target == r.target)
            .collect();
        items.push(DeliveryFailure {
            id: r.id,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
            category: r.category,
            event_type: r.event_type,
            object_id: r.object_id,
            target: r.target,
            response_code: r.response_code.and_then(|c| u16::try_from(c).ok()),
            exception_message: r.exception_message,
            user_id: r.user_id,
            user_requested_id: r.user_requested_id,
            filters,
        });
    }
    Ok(Page {
        items,
        has_older: rows.has_older,
        has_newer: rows.has_newer,
    })
}

/// Sends the partner's failed deliveries `ids` once more (a final attempt each), or names those that are not its failures.
pub(super) async fn retry(
    store: &SqlStore,
    partner: UserId,
    ids: &[i64],
    now: Timestamp,
) -> StoreResult<Result<(), Vec<i64>>> {
    let ids = ids.to_vec();
    store.write(move |conn| {
        Box::pin(async move {
            let mut unknown = Vec::new();
            for id in &ids {
                let found: i64 = sqlx::query_scalar(&format!(
                    "SELECT COUNT(*) FROM {PARTNER_FAILURES} AND d.id = $2"
                ))
                .bind(partner.0)
                .bind(*id)
                .fetch_one(&mut *conn)
                .await?;
                if found == 0 {
                    unknown.push(*id);
                }
            }
            if !unknown.is_empty() {
                return Ok(Err(unknown));
            }
            for id in ids {
                sqlx::query(
                    "UPDATE deliveries SET status = 'PENDING', final_attempt = 1, \
                            next_attempt_at = $2, locked_by = NULL, locked_until = NULL, updated = $2 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(now.micros())
                .execute(&mut *conn)
                .await?;
            }
            Ok(Ok(()))
        })
    })
    .await
}
