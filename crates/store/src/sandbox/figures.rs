//! The figures the metrics endpoint reports, counted when they are scraped.

use async_trait::async_trait;
use provisio_core::{
    store::{Figures, FiguresStore, StoreResult},
    time::Timestamp,
};

use crate::{db_err, SqlStore};

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[async_trait]
impl FiguresStore for SqlStore {
    async fn figures(&self) -> StoreResult<Figures> {
        let provisions: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT status, sub_status, COUNT(*) FROM provisions \
             GROUP BY status, sub_status ORDER BY status, sub_status",
        )
        .fetch_all(&self.read)
        .await
        .map_err(db_err)?;
        let (jobs_pending, oldest_job_due): (i64, Option<i64>) =
            sqlx::query_as("SELECT COUNT(*), MIN(run_at) FROM jobs")
                .fetch_one(&self.read)
                .await
                .map_err(db_err)?;
        let (deliveries_pending, oldest_delivery_due): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(next_attempt_at) FROM deliveries WHERE status = 'PENDING'",
        )
        .fetch_one(&self.read)
        .await
        .map_err(db_err)?;
        let deliveries_failed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE status = 'FAILED'")
                .fetch_one(&self.read)
                .await
                .map_err(db_err)?;
        Ok(Figures {
            provisions: provisions
                .into_iter()
                .map(|(status, sub_status, n)| (status, sub_status, count(n)))
                .collect(),
            jobs_pending: count(jobs_pending),
            oldest_job_due: oldest_job_due.map(Timestamp),
            deliveries_pending: count(deliveries_pending),
            oldest_delivery_due: oldest_delivery_due.map(Timestamp),
            deliveries_failed: count(deliveries_failed),
        })
    }
}
