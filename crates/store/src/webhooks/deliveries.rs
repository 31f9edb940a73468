//! The delivery worker's side of the outbox: claiming due deliveries (leased to the worker,
//! the oldest pending one of each order key only), finishing them with each attempt's
//! outcome, sending again, and when the next one is due. Holds the `WebhookStore`; the
//! filters, the failures and the records of what was sent are in their own files.

use std::{sync::atomic::Ordering, time::Duration};

use async_trait::async_trait;
use provisio_core::{
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{StoreResult, WebhookStore},
    time::Timestamp,
    webhook::{
        Attempt, AttemptRecord, Delivery, DeliveryFailure, DeliveryRecord, DeliveryResult, Filter,
    },
};

use super::{
    failures,
    filters::{self, Scope},
    records,
};
use crate::{batch::Statement, db_err, SqlStore};

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    event_uuid: String,
    target: String,
    body: String,
    attempts: i64,
    final_attempt: i64,
}

/// The condition on `deliveries d` of a delivery whose attempt is due at `$now` (a
/// placeholder): pending, its next attempt not in the future, and no live lease on it. The
/// dispatcher's cheap look before a claim and the claim itself must agree on it.
macro_rules! due {
    ($now:literal) => {
        concat!(
            "d.status = 'PENDING' AND d.next_attempt_at <= ",
            $now,
            " AND (d.locked_until IS NULL OR d.locked_until < ",
            $now,
            ")"
        )
    };
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
        filters::replace(self, (user, Scope::User), requested_by, filters, now).await
    }

    async fn filters(&self, user: UserId) -> StoreResult<Vec<Filter>> {
        filters::list(self, user, Scope::User).await
    }

    async fn replace_account_filters(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        requested_by: Option<UserId>,
        filters: &[Filter],
        now: Timestamp,
    ) -> StoreResult<()> {
        let scope = (user, Scope::Account(account));
        filters::replace(self, scope, requested_by, filters, now).await
    }

    async fn account_filters(
        &self,
        user: UserId,
        account: MonetaryAccountId,
    ) -> StoreResult<Vec<Filter>> {
        filters::list(self, user, Scope::Account(account)).await
    }

    async fn claim_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        // A read first: the dispatcher is woken after every write that queued a webhook and
        // after each of the worker's batches, and on SQLite a claim is a write that queues
        // behind every other. Nothing due is the usual answer; a delivery queued after this
        // read wakes it again. A point read (`readers`), on the index of due deliveries.
        let due: Option<i64> = self
            .read_scalar(
                Statement::new(concat!(
                    "SELECT d.id FROM deliveries d WHERE ",
                    due!("$1"),
                    " LIMIT 1"
                ))
                .bind(now.micros()),
            )
            .await
            .map_err(db_err)?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        // Only the oldest pending delivery of each order key is eligible, so the events of
        // one provision reach a target in order, also while an earlier one is being retried.
        let rows: Vec<DeliveryRow> = crate::lease::lease(
            self,
            "deliveries",
            concat!(
                "SELECT d.id FROM deliveries d WHERE ",
                due!("$3"),
                " AND NOT EXISTS (SELECT 1 FROM deliveries e \
                                  WHERE e.order_key = d.order_key \
                                    AND e.status = 'PENDING' AND e.id < d.id) \
                 ORDER BY d.id LIMIT $4"
            ),
            "SELECT id, event_uuid, target, body, attempts, final_attempt FROM {leased} \
             WHERE locked_by = $1 AND locked_until = $2 AND status = 'PENDING' ORDER BY id",
            worker,
            now,
            now.plus(lease),
            limit,
        )
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
        failures::list(self, partner, page).await
    }

    async fn retry_failures(
        &self,
        partner: UserId,
        ids: &[i64],
        now: Timestamp,
    ) -> StoreResult<Result<(), Vec<i64>>> {
        failures::retry(self, partner, ids, now).await
    }

    async fn deliveries(
        &self,
        target: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        records::deliveries(self, target, limit).await
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
        records::attempts_since(self, after, limit).await
    }

    async fn latest_attempt_id(&self) -> StoreResult<i64> {
        records::latest_attempt_id(self).await
    }

    async fn next_delivery_at(&self) -> StoreResult<Option<Timestamp>> {
        // Not a point read (`readers`): it visits every pending delivery, thousands while a
        // target is down, so it stays on the pool's threads.
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

    fn deliveries_queued(&self) -> Option<u64> {
        Some(self.deliveries_queued.load(Ordering::Acquire))
    }
}
