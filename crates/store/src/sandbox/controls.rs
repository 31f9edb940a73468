//! The sandbox controls' storage: the shared virtual clock, the store's readiness, and
//! wholesale removal (see `removal`).

use async_trait::async_trait;
use provisio_core::{
    model::UserId,
    store::{DashboardSessionLimits, SandboxStore, StoreResult, WorkerPoll},
    time::{Timestamp, MAX_CLOCK_OFFSET_MICROS},
    StoreError,
};

use sqlx::Row;

use super::{dashboard_sessions, removal};
use crate::{batch::Statement, connect::migrator, db_err, SqlStore};

#[async_trait]
impl SandboxStore for SqlStore {
    async fn start_dashboard_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        limits: DashboardSessionLimits,
    ) -> StoreResult<()> {
        dashboard_sessions::start(self, token_hash, now, limits).await
    }

    async fn dashboard_session_live(
        &self,
        token_hash: &str,
        now: Timestamp,
        limits: DashboardSessionLimits,
    ) -> StoreResult<bool> {
        dashboard_sessions::live(self, token_hash, now, limits).await
    }

    async fn end_dashboard_session(&self, token_hash: &str) -> StoreResult<()> {
        dashboard_sessions::end(self, token_hash).await
    }

    async fn clock_offset(&self) -> StoreResult<i64> {
        // The dispatcher reads it before every batch (the worker with its timers,
        // `worker_poll`): a point read (`readers`).
        self.read_scalar(Statement::new(
            "SELECT offset_micros FROM sandbox_clock WHERE id = 1",
        ))
        .await
        .map_err(db_err)?
        .ok_or_else(|| db_err(sqlx::Error::RowNotFound))
    }

    async fn worker_poll(&self) -> StoreResult<WorkerPoll> {
        // A point read (`readers`), each part on an index.
        let row = self
            .read_rows(Statement::new(
                "SELECT (SELECT offset_micros FROM sandbox_clock WHERE id = 1) AS clock_offset, \
                        (SELECT MIN(run_at) FROM card_timers) AS next_card_timer, \
                        (SELECT MIN(run_at) FROM schedule_timers) AS next_schedule_run",
            ))
            .await
            .map_err(db_err)?;
        let row = row
            .first()
            .ok_or_else(|| db_err(sqlx::Error::RowNotFound))?;
        let clock_offset: Option<i64> = row.try_get("clock_offset").map_err(db_err)?;
        let at = |column: &str| -> StoreResult<Option<Timestamp>> {
            let at: Option<i64> = row.try_get(column).map_err(db_err)?;
            Ok(at.map(Timestamp))
        };
        Ok(WorkerPoll {
            clock_offset: clock_offset.ok_or_else(|| db_err(sqlx::Error::RowNotFound))?,
            next_card_timer: at("next_card_timer")?,
            next_schedule_run: at("next_schedule_run")?,
        })
    }

    async fn advance_clock(&self, by_micros: i64) -> StoreResult<i64> {
        if by_micros <= 0 {
            return Err(StoreError::Corrupt(format!(
                "the clock only moves forward, not by {by_micros} µs"
            )));
        }
        let limit = MAX_CLOCK_OFFSET_MICROS.saturating_sub(by_micros);
        // One statement: concurrent advances from several processes add up, none is lost, and
        // none takes the clock past its limit.
        let advanced: Option<i64> = self
            .write(move |conn| {
                Box::pin(async move {
                    sqlx::query_scalar(
                        "UPDATE sandbox_clock SET offset_micros = offset_micros + $1 \
                         WHERE id = 1 AND offset_micros <= $2 RETURNING offset_micros",
                    )
                    .bind(by_micros)
                    .bind(limit)
                    .fetch_optional(&mut *conn)
                    .await
                })
            })
            .await?;
        advanced.ok_or_else(|| {
            StoreError::Refused(
                "The virtual clock runs at most 100 years ahead in all; this advance would \
                 take it further."
                    .into(),
            )
        })
    }

    async fn reset_clock(&self) -> StoreResult<()> {
        self.write(|conn| {
            Box::pin(async move {
                sqlx::query("UPDATE sandbox_clock SET offset_micros = 0 WHERE id = 1")
                    .execute(&mut *conn)
                    .await
                    .map(drop)
            })
        })
        .await
    }

    async fn ready(&self) -> StoreResult<()> {
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.read)
                .await
                .map_err(db_err)?;
        let missing: Vec<i64> = migrator(self.backend)
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
            .map(|m| m.version)
            .collect();
        if !missing.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "migrations not applied: {missing:?}"
            )));
        }
        // A committed write through the writer, as every change takes: a store that reads
        // but cannot write is not ready.
        self.write(|conn| {
            Box::pin(async move {
                sqlx::query("UPDATE store_heartbeat SET beats = beats + 1 WHERE id = 1")
                    .execute(&mut *conn)
                    .await
                    .map(drop)
            })
        })
        .await
    }

    async fn delete_partner(&self, partner: UserId) -> StoreResult<Option<Vec<UserId>>> {
        let removed = self
            .write(move |conn| Box::pin(removal::delete_partner(conn, partner.0)))
            .await?;
        Ok(removed.map(|ids| ids.into_iter().map(UserId).collect()))
    }

    async fn reset(&self) -> StoreResult<()> {
        let backend = self.backend;
        self.write(move |conn| Box::pin(removal::reset(conn, backend)))
            .await
    }
}
