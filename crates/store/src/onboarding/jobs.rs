//! The job queue. Claiming leases due jobs to one claim token (`locked_by`) until
//! `locked_until`; a job whose lease ran out is due again, so a worker that dies loses
//! nothing. Finishing deletes the job and applies its outcome in the same transaction, and
//! only while the claim still holds the job, so a step is applied once even if two workers
//! end up holding it one after the other.
//!
//! The queue is provisioning's (jobs are scheduled by `provisioning::steps`), but its runner
//! sits here, above provisioning: two of a job's outcomes are onboarding's (a step into the
//! onboarding phase settles an onboarding decided early; `REVIEW_IDENTITY` reviews the
//! identity verification), and onboarding already builds on provisioning.

use std::time::Duration;

use async_trait::async_trait;
use provisio_core::{
    model::{JobId, ProvisionId},
    provision::{
        plan::{JobKind, Step},
        record::{ClaimedJob, JobOutcome},
        Status, SubStatus,
    },
    store::{JobStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::{AnyConnection, Row};

use super::{settle::settle_started, verification::review};
use crate::{
    batch::Statement,
    db_err,
    provisioning::{
        rows::{products, stored},
        steps,
    },
    rows::parse,
    SqlStore,
};

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    job_id: i64,
    kind: String,
    provision_id: i64,
    expect_status: Option<String>,
    expect_sub_status: Option<String>,
    status: String,
    sub_status: String,
    action_required: String,
    reset_resume: Option<String>,
    products: String,
}

impl TryFrom<ClaimedRow> for ClaimedJob {
    type Error = StoreError;

    fn try_from(r: ClaimedRow) -> Result<Self, StoreError> {
        Ok(ClaimedJob {
            id: JobId(r.job_id),
            kind: parse(JobKind::parse, &r.kind)?,
            provision_id: ProvisionId(r.provision_id),
            expect: match (r.expect_status, r.expect_sub_status) {
                (Some(s), Some(u)) => {
                    Some((parse(Status::parse, &s)?, parse(SubStatus::parse, &u)?))
                }
                _ => None,
            },
            state: stored(
                &r.status,
                &r.sub_status,
                &r.action_required,
                r.reset_resume.as_deref(),
            )?,
            products: products(&r.products)?,
        })
    }
}

#[async_trait]
impl JobStore for SqlStore {
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<ClaimedJob>> {
        let rows: Vec<ClaimedRow> = crate::lease::lease(
            self,
            "jobs",
            "SELECT id FROM jobs \
             WHERE run_at <= $3 AND (locked_until IS NULL OR locked_until < $3) \
             ORDER BY run_at, id LIMIT $4",
            "SELECT j.id AS job_id, j.kind, j.provision_id, j.expect_status, \
                    j.expect_sub_status, p.status, p.sub_status, \
                    p.action_required, p.reset_resume, p.products \
             FROM {leased} j JOIN provisions p ON p.id = j.provision_id \
             WHERE j.locked_by = $1 AND j.locked_until = $2 ORDER BY j.run_at, j.id",
            worker,
            now,
            now.plus(lease),
            limit,
        )
        .await?;
        rows.into_iter().map(ClaimedJob::try_from).collect()
    }

    async fn finish_jobs(
        &self,
        worker: &str,
        outcomes: Vec<(ClaimedJob, JobOutcome)>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let worker = worker.to_owned();
        self.write(move |conn| {
            Box::pin(async move {
                let held = delete_held(conn, &worker, &outcomes).await?;
                // The lease of a job not held ran out, and another claim owns it now.
                let held: Vec<_> = outcomes
                    .iter()
                    .filter(|(job, _)| held.contains(&job.id.0))
                    .collect();
                // The steps of provisions that no other job of the batch touches are applied
                // together (`steps::apply_all`); the rest one after the other, in order.
                let alone = |job: &ClaimedJob| {
                    held.iter()
                        .filter(|(other, _)| other.provision_id == job.provision_id)
                        .count()
                        == 1
                };
                let mut together = Vec::new();
                let mut in_turn = Vec::new();
                for (job, outcome) in held.iter().copied() {
                    match outcome {
                        JobOutcome::Step(step) if alone(job) => {
                            together.push((job.provision_id.0, step));
                        }
                        _ => in_turn.push((job, outcome)),
                    }
                }
                let applied = steps::apply_all(conn, &together, now).await?;
                let onboarding: Vec<i64> = together
                    .iter()
                    .zip(applied)
                    .filter(|((_, step), applied)| *applied && into_onboarding(step))
                    .map(|((id, _), _)| *id)
                    .collect();
                settle_started(conn, &onboarding, now).await?;
                for (job, outcome) in in_turn {
                    match outcome {
                        JobOutcome::Step(step) => {
                            let applied = steps::apply(conn, job.provision_id.0, step, now).await?;
                            if applied && into_onboarding(step) {
                                settle_started(conn, &[job.provision_id.0], now).await?;
                            }
                        }
                        JobOutcome::ExpireCredential => {
                            steps::expire_credential(conn, job.provision_id.0, now).await?;
                        }
                        JobOutcome::ReviewIdentity => {
                            review(conn, job.provision_id.0, now).await?;
                        }
                        JobOutcome::Stale => {}
                    }
                }
                Ok(())
            })
        })
        .await
    }

    async fn next_job_at(&self) -> StoreResult<Option<Timestamp>> {
        // The worker reads it each time it idles: a point read (`readers`).
        let next: Option<Option<i64>> = self
            .read_scalar(Statement::new(NEXT_JOB_AT))
            .await
            .map_err(db_err)?;
        Ok(next.flatten().map(Timestamp))
    }

    async fn pending_jobs(&self) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
            .fetch_one(&self.read)
            .await
            .map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// When the next job is due: at its run_at, or when its lease runs out. In two halves, each
/// read along an index in due order, so the wait is not a pass over the whole queue (which
/// holds a job for each credential yet to expire): the earliest job nobody leased
/// (`jobs_due`), and the leased ones (a lease sets locked_by and locked_until together;
/// `jobs_leased_due` is on this very expression, migration 0025).
const NEXT_JOB_AT: &str = "SELECT MIN(due) FROM ( \
         SELECT MIN(run_at) AS due FROM jobs WHERE locked_by IS NULL \
         UNION ALL \
         SELECT MIN(CASE WHEN locked_until > run_at THEN locked_until ELSE run_at END) \
         FROM jobs WHERE locked_by IS NOT NULL \
     ) AS next";

/// Whether `step` takes its provision into the onboarding phase (where an onboarding decided
/// early is settled).
fn into_onboarding(step: &Step) -> bool {
    step.to.sub_status == SubStatus::PendingProcessUserOnboarding
}

/// Deletes the jobs of `outcomes` that `worker` still holds, in one statement (inside a write
/// each statement is a round trip); answers their ids.
async fn delete_held(
    conn: &mut AnyConnection,
    worker: &str,
    outcomes: &[(ClaimedJob, JobOutcome)],
) -> Result<Vec<i64>, sqlx::Error> {
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "DELETE FROM jobs WHERE locked_by = $1 AND id IN ({}) RETURNING id",
        crate::placeholders(2, outcomes.len())
    );
    let mut delete = Statement::new(sql).bind(worker);
    for (job, _) in outcomes {
        delete = delete.bind(job.id.0);
    }
    // A batch of its own, so that SQLite's writer runs it itself (`direct`).
    let deleted = delete.fetch_all(conn).await?;
    deleted
        .iter()
        .map(|row| row.try_get::<i64, _>("id"))
        .collect()
}

/// The idle worker's read of the next due time must not become a pass over the whole queue.
#[cfg(test)]
mod next_due_time {
    use sqlx::Row;

    use super::NEXT_JOB_AT;
    use crate::{
        testing::{skip_postgres, TestDatabase},
        Backend,
    };

    /// The plan of `NEXT_JOB_AT`, as the database explains it (a line per step).
    async fn plan(store: &crate::SqlStore) -> String {
        let explain = match store.backend {
            Backend::Sqlite => format!("EXPLAIN QUERY PLAN {NEXT_JOB_AT}"),
            Backend::Postgres => format!("EXPLAIN {NEXT_JOB_AT}"),
        };
        let column = match store.backend {
            Backend::Sqlite => "detail",
            Backend::Postgres => "QUERY PLAN",
        };
        let rows = sqlx::query(&explain)
            .fetch_all(&store.read)
            .await
            .unwrap_or_else(|e| panic!("{explain}: {e}"));
        rows.iter()
            .map(|row| row.try_get::<String, _>(column))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("{column}: {e}"))
            .join("\n")
    }

    /// A queue as a busy server leaves it, before any statistics: 4,000 jobs of one
    /// provision, a quarter of them leased, then half of them finished (deleted, on
    /// PostgreSQL dead rows until vacuum).
    async fn queue(store: &crate::SqlStore) {
        use provisio_core::{secret::SecretHash, store::PartnerStore};
        let partner = store
            .create_partner("Queue BV", "queue-uuid", &SecretHash::of("key"), T0)
            .await
            .unwrap_or_else(|e| panic!("partner: {e}"));
        let statements = [
            "INSERT INTO provisions (partner_id, external_uuid, user_verified_type, products, \
                 status, sub_status, action_required, created, updated) \
             VALUES ($1, 'queue', 'PARTNER_USER_PERSON', '[]', 'CREATED', \
                 'PENDING_PROCESS_USER', 'NONE', 0, 0)",
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) \
             INSERT INTO jobs (kind, provision_id, run_at, created) \
             SELECT 'EXPIRE_CREDENTIAL', (SELECT MAX(id) FROM provisions), i, 0 FROM n",
            "UPDATE jobs SET locked_by = 'worker', locked_until = run_at + 60 \
             WHERE run_at % 4 = 0",
            "DELETE FROM jobs WHERE run_at % 2 = 1",
        ];
        let partner = partner.id.0;
        store
            .write(move |conn| {
                Box::pin(async move {
                    for (n, sql) in statements.into_iter().enumerate() {
                        let query = sqlx::query(sql);
                        let query = if n == 0 { query.bind(partner) } else { query };
                        query.execute(&mut *conn).await?;
                    }
                    Ok(())
                })
            })
            .await
            .unwrap_or_else(|e| panic!("queue: {e}"));
    }

    const T0: provisio_core::time::Timestamp =
        provisio_core::time::Timestamp(1_700_000_000_000_000);

    // Before `jobs_leased_due`, PostgreSQL without fresh statistics read the leased half by a
    // sequential scan of `jobs` (~1 ms with a few thousand jobs and the dead rows a busy queue
    // leaves). A fresh database has no statistics, which is when it chose so.
    #[tokio::test]
    async fn each_half_is_read_from_an_index_on_both_backends() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            if backend == Backend::Postgres && skip_postgres().await {
                continue;
            }
            let db = TestDatabase::create(backend).await;
            let store = crate::connect(&db.config)
                .await
                .unwrap_or_else(|e| panic!("connect: {e}"));
            queue(&store).await;
            let plan = plan(&store).await;
            assert!(plan.contains("jobs_leased_due"), "{backend:?}:\n{plan}");
            assert!(plan.contains("jobs_due"), "{backend:?}:\n{plan}");
            assert!(!plan.contains("Seq Scan"), "{backend:?}:\n{plan}");
            assert!(!plan.contains("SCAN jobs"), "{backend:?}:\n{plan}");
            store.close().await;
        }
    }
}
