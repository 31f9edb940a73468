use std::time::Duration;

use async_trait::async_trait;
use provisio_core::{
    model::{Page, PageQuery, UserId},
    store::{StoreResult, WebhookStore},
    time::Timestamp,
    webhook::{
        Attempt, AttemptRecord, Delivery, DeliveryFailure, DeliveryRecord, DeliveryResult, Filter,
    },
};
use sqlx::{AnyConnection, Row};

use crate::{
    db_err,
    page::{fetch_page, Arg},
    SqlStore,
};

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    event_uuid: String,
    target: String,
    body: String,
    attempts: i64,
    final_attempt: i64,
}

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

async fn filters_of(conn: &mut AnyConnection, user: i64) -> Result<Vec<Filter>, sqlx::Error> {
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

#[async_trait]
impl WebhookStore for SqlStore {
    async fn replace_filters(
        &self,
        user: UserId,
        requested_by: Option<UserId>,
        filters: &[Filter],
        now: Timestamp,
    ) -> StoreResult<()> {
        let filters = filters.to_vec();
        self.write(move |conn| {
            Box::pin(async move {
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

    async fn filters(&self, user: UserId) -> StoreResult<Vec<Filter>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        filters_of(&mut conn, user.0).await.map_err(db_err)
    }

    async fn claim_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        let (worker, until, backend) = (worker.to_owned(), now.plus(lease), self.backend);
        let rows: Vec<DeliveryRow> = self
            .write(move |conn| {
                Box::pin(async move {
                    // Only the oldest pending delivery of each order key is eligible, so the
                    // events of one provision reach a target in order, also while an earlier
                    // one is being retried.
                    crate::lease::lease(
                        conn,
                        backend,
                        "deliveries",
                        "SELECT d.id FROM deliveries d \
                         WHERE d.status = 'PENDING' AND d.next_attempt_at <= $3 \
                           AND (d.locked_until IS NULL OR d.locked_until < $3) \
                           AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.order_key = d.order_key \
                                           AND e.status = 'PENDING' AND e.id < d.id) \
                         ORDER BY d.id LIMIT $4",
                        &worker,
                        now,
                        until,
                        limit,
                    )
                    .await?;
                    sqlx::query_as(
                        "SELECT id, event_uuid, target, body, attempts, final_attempt FROM deliveries \
                         WHERE locked_by = $1 AND locked_until = $2 AND status = 'PENDING' ORDER BY id",
                    )
                    .bind(worker.as_str())
                    .bind(until.micros())
                    .fetch_all(&mut *conn)
                    .await
                })
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| Delivery {
                id: r.id,
                event_uuid: r.event_uuid,
                target: r.target,
                body: r.body,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
                final_attempt: r.final_attempt != 0,
            })
            .collect())
    }

    async fn finish_deliveries(
        &self,
        worker: &str,
        attempts: Vec<Attempt>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let worker = worker.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                for attempt in attempts {
                    let (status, next) = match attempt.result {
                        DeliveryResult::Delivered => ("DELIVERED", now),
                        DeliveryResult::RetryAt(at) => ("PENDING", at),
                        DeliveryResult::Failed => ("FAILED", now),
                    };
                    let held = sqlx::query(
                        "UPDATE deliveries SET status = $3, attempts = attempts + 1, next_attempt_at = $4, \
                                locked_by = NULL, locked_until = NULL, response_code = $5, \
                                exception_message = $6, final_attempt = 0, updated = $7 \
                         WHERE id = $1 AND locked_by = $2",
                    )
                    .bind(attempt.delivery)
                    .bind(worker.as_str())
                    .bind(status)
                    .bind(next.micros())
                    .bind(attempt.response_code.map(i64::from))
                    .bind(attempt.error.clone())
                    .bind(now.micros())
                    .execute(&mut *conn)
                    .await?
                    .rows_affected()
                        == 1;
                    if held {
                        sqlx::query(
                            "INSERT INTO delivery_attempts (delivery_id, at, response_code, error, latency_us) \
                             VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(attempt.delivery)
                        .bind(now.micros())
                        .bind(attempt.response_code.map(i64::from))
                        .bind(attempt.error)
                        .bind(i64::try_from(attempt.latency.as_micros()).unwrap_or(i64::MAX))
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                Ok(())
            })
        })
        .await
    }

    async fn failures(
        &self,
        partner: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<DeliveryFailure>> {
        let rows: Page<FailureRow> = fetch_page(
            &self.read,
            FAILURE_COLUMNS,
            "d.id",
            PARTNER_FAILURES,
            &[Arg::Int(partner.0)],
            page,
        )
        .await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(rows.items.len());
        for r in rows.items {
            // Only the filter whose delivery failed, not the user's others of the category.
            let filters = filters_of(&mut conn, r.user_id)
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

    async fn retry_failures(
        &self,
        partner: UserId,
        ids: &[i64],
        now: Timestamp,
    ) -> StoreResult<Result<(), Vec<i64>>> {
        let ids = ids.to_vec();
        self.write(move |conn| {
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

    async fn deliveries(
        &self,
        target: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        let columns =
            "id, event_uuid, category, event_type, object_id, target, status, created, body";
        // An empty target means every target.
        let rows: Vec<RecordRow> = sqlx::query_as(&format!(
            "SELECT {columns} FROM deliveries WHERE ($1 = '' OR target = $1) ORDER BY id DESC LIMIT $2"
        ))
        .bind(target.unwrap_or_default())
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        let mut records = Vec::with_capacity(rows.len());
        for r in rows {
            let attempts: Vec<AttemptRow> = sqlx::query_as(&format!(
                "{ATTEMPT_SELECT} WHERE a.delivery_id = $1 ORDER BY a.id"
            ))
            .bind(r.id)
            .fetch_all(&self.read)
            .await
            .map_err(db_err)?;
            records.push(DeliveryRecord {
                id: r.id,
                event_uuid: r.event_uuid,
                category: r.category,
                event_type: r.event_type,
                object_id: r.object_id,
                target: r.target,
                status: r.status,
                created: Timestamp(r.created),
                body: r.body,
                attempts: attempts.into_iter().map(AttemptRecord::from).collect(),
            });
        }
        Ok(records)
    }

    async fn pending_due_now(&self, now: Timestamp) -> StoreResult<u64> {
        self.write(move |conn| {
            Box::pin(async move {
                // Those already due keep their time (and their place); a delivery held by a
                // worker right now is being sent and stays with it.
                let n = sqlx::query(
                    "UPDATE deliveries SET next_attempt_at = CASE WHEN next_attempt_at > $1 \
                                THEN $1 ELSE next_attempt_at END, updated = $1 \
                     WHERE status = 'PENDING'",
                )
                .bind(now.micros())
                .execute(conn)
                .await?
                .rows_affected();
                Ok(n)
            })
        })
        .await
    }

    async fn resend(&self, delivery: i64, now: Timestamp) -> StoreResult<bool> {
        self.write(move |conn| {
            Box::pin(async move {
                let n = sqlx::query(
                    "UPDATE deliveries SET status = 'PENDING', final_attempt = 1, next_attempt_at = $2, \
                            locked_by = NULL, locked_until = NULL, updated = $2 WHERE id = $1",
                )
                .bind(delivery)
                .bind(now.micros())
                .execute(conn)
                .await?
                .rows_affected();
                Ok(n > 0)
            })
        })
        .await
    }

    async fn attempts_since(&self, after: i64, limit: u32) -> StoreResult<Vec<AttemptRecord>> {
        let rows: Vec<AttemptRow> = sqlx::query_as(&format!(
            "{ATTEMPT_SELECT} WHERE a.id > $1 ORDER BY a.id LIMIT $2"
        ))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(AttemptRecord::from).collect())
    }

    async fn latest_attempt_id(&self) -> StoreResult<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM delivery_attempts")
            .fetch_one(&self.read)
            .await
            .map_err(db_err)?;
        Ok(id.unwrap_or(0))
    }

    async fn next_delivery_at(&self) -> StoreResult<Option<Timestamp>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > next_attempt_at \
                             THEN locked_until ELSE next_attempt_at END) \
             FROM deliveries WHERE status = 'PENDING'",
        )
        .fetch_one(&self.read)
        .await
        .map_err(db_err)?;
        Ok(next.map(Timestamp))
    }
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: i64,
    delivery_id: i64,
    at: i64,
    response_code: Option<i64>,
    error: Option<String>,
    latency_us: i64,
    target: String,
    event_type: String,
    object_id: i64,
}

const ATTEMPT_SELECT: &str = "SELECT a.id, a.delivery_id, a.at, a.response_code, a.error, a.latency_us, \
    d.target, d.event_type, d.object_id FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id";

impl From<AttemptRow> for AttemptRecord {
    fn from(r: AttemptRow) -> Self {
        AttemptRecord {
            id: r.id,
            delivery_id: r.delivery_id,
            at: Timestamp(r.at),
            response_code: r.response_code.and_then(|c| u16::try_from(c).ok()),
            error: r.error,
            latency: Duration::from_micros(u64::try_from(r.latency_us).unwrap_or(0)),
            target: r.target,
            event_type: r.event_type,
            object_id: r.object_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    event_uuid: String,
    category: String,
    event_type: String,
    object_id: i64,
    target: String,
    status: String,
    created: i64,
    body: String,
}
