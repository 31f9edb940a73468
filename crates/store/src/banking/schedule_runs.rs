//! The `ScheduleStore`, and a schedule's runs on the virtual clock. The worker takes the
//! earliest due timer (deleting it, so it runs once; PostgreSQL workers skip each other's),
//! pays the schedule's payment as a single payment is paid but dated at the run's own time, and
//! records the run (`ScheduleInstance`) with its `SCHEDULE_RESULT` webhook and the next run's
//! timer, all in one transaction. A run that cannot pay (balance, limit, payee) is rolled back
//! to a savepoint and recorded as FAILED_USER_ERROR with bunq's error text; the schedule goes
//! on. Timers are taken one at a time, so a run that makes the next one due (a clock advanced
//! by a month over a daily schedule) is followed by it, in time order.

use async_trait::async_trait;
use provisio_core::{
    account::schedule::{
        InstanceState, NewSchedule, PaymentSchedule, ScheduleInstance, ScheduleStatus,
    },
    feed::{self, EventAction, EventStatus, NewEvent},
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{ScheduleStore, StoreResult},
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{schedules::schedule_instance as render, Item};
use sqlx::AnyConnection;

use super::{
    schedules::{cancel_in, create_in, load_instance, load_schedule, set_timer, update_in},
    transfer::pay_in,
};
use crate::{
    batch::Statement,
    db_err,
    feed::record_event,
    frozen,
    page::{fetch_page, Arg},
    webhooks::outbox::{emit_user_events, UserEvent},
    Backend, SqlStore,
};

/// Pays run `occurrence` of `schedule` (due at `run_at`) and writes what follows.
async fn run_one(
    conn: &mut AnyConnection,
    (schedule, version, occurrence): (i64, i64, i64),
    run_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // Takes the schedule's row (a change waits for the run, or the run for the change) and
    // drops a timer set for a version the schedule has since left.
    let current: Option<i64> = sqlx::query_scalar(
        "UPDATE payment_schedules SET version = version WHERE id = $1 RETURNING version",
    )
    .bind(schedule)
    .fetch_optional(&mut *conn)
    .await?;
    if current != Some(version) {
        return Ok(());
    }
    let Some(stored) = load_schedule(conn, schedule, None).await? else {
        return Ok(());
    };
    let s = &stored.schedule;
    if s.status != ScheduleStatus::Active {
        return Ok(());
    }
    // A closed user's schedule stops: nothing of its data changes any more.
    if frozen::provision_status(conn, s.user_id.0)
        .await?
        .is_some_and(|status| status.freezes_user())
    {
        return Ok(());
    }
    sqlx::query("SAVEPOINT schedule_run")
        .execute(&mut *conn)
        .await?;
    let paid = pay_in(
        conn,
        s.user_id,
        s.monetary_account_id,
        &s.payment,
        &stored.policy,
        run_at,
    )
    .await;
    let (payment, error) = match paid {
        Ok(Some(p)) => (Some(p.id.0), None),
        Ok(None) => (None, Some("MonetaryAccount not found.".to_owned())),
        Err(err) => match db_err(err) {
            StoreError::Refused(message) => (None, Some(message)),
            other => return Err(frozen::refuse(other)),
        },
    };
    if error.is_some() {
        sqlx::query("ROLLBACK TO SAVEPOINT schedule_run")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("RELEASE SAVEPOINT schedule_run")
        .execute(&mut *conn)
        .await?;
    let state = if payment.is_some() {
        InstanceState::FinishedSuccessfully
    } else {
        InstanceState::FailedUserError
    };
    if payment.is_none() {
        // A run that paid is on the feed as its payment; one that could not, as its schedule.
        let on_feed = NewEvent {
            user_id: s.user_id,
            monetary_account_id: Some(s.monetary_account_id),
            kind: feed::SCHEDULE_PAYMENT,
            object_id: schedule,
            action: EventAction::Update,
            status: EventStatus::Finalized,
        };
        record_event(conn, &on_feed, run_at).await?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO schedule_instances (schedule_id, monetary_account_id, user_id, state, \
         time_start, time_end, payment_id, error_message, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $5, $5) RETURNING id",
    )
    .bind(schedule)
    .bind(s.monetary_account_id.0)
    .bind(s.user_id.0)
    .bind(state.as_str())
    .bind(run_at.micros())
    .bind(payment)
    .bind(error)
    .fetch_one(&mut *conn)
    .await?;
    match s.recurrence.occurrence(occurrence + 1) {
        Some(next) => set_timer(conn, schedule, version, occurrence + 1, next, now).await?,
        None => {
            sqlx::query(
                "UPDATE payment_schedules SET status = 'FINISHED', updated = $2 WHERE id = $1",
            )
            .bind(schedule)
            .bind(run_at.micros())
            .execute(&mut *conn)
            .await?;
        }
    }
    let instance = load_instance(conn, schedule, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let item = Item::ScheduleInstance(render(&instance));
    let events = [UserEvent::new(
        webhook::SCHEDULE_RESULT,
        webhook::SCHEDULE_RESULT,
        id,
        &item,
    )];
    emit_user_events(conn, s.user_id.0, &events, now).await
}

/// Runs due timers, earliest first, up to `limit`.
async fn run_due(
    conn: &mut AnyConnection,
    backend: Backend,
    now: Timestamp,
    limit: u32,
) -> Result<usize, sqlx::Error> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let take = format!(
        "DELETE FROM schedule_timers WHERE id IN (SELECT id FROM schedule_timers \
         WHERE run_at <= $1 ORDER BY run_at, id LIMIT 1{skip_locked}) \
         RETURNING schedule_id, version, occurrence, run_at"
    );
    let mut done = 0;
    while done < limit as usize {
        let due: Option<(i64, i64, i64, i64)> = sqlx::query_as(&take)
            .bind(now.micros())
            .fetch_optional(&mut *conn)
            .await?;
        let Some((schedule, version, occurrence, run_at)) = due else {
            break;
        };
        let timer = (schedule, version, occurrence);
        run_one(conn, timer, Timestamp(run_at), now).await?;
        done += 1;
    }
    Ok(done)
}

#[async_trait]
impl ScheduleStore for SqlStore {
    async fn create_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: &NewSchedule,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>> {
        let schedule = schedule.clone();
        self.write(move |conn| {
            Box::pin(async move { create_in(conn, user, account, &schedule, now).await })
        })
        .await
    }

    async fn update_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        schedule: &NewSchedule,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>> {
        let schedule = schedule.clone();
        self.write(move |conn| {
            Box::pin(async move { update_in(conn, user, account, id, &schedule, now).await })
        })
        .await
    }

    async fn cancel_schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
        now: Timestamp,
    ) -> StoreResult<Option<PaymentSchedule>> {
        self.write(move |conn| {
            Box::pin(async move { cancel_in(conn, user, account, id, now).await })
        })
        .await
    }

    async fn schedule(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        id: i64,
    ) -> StoreResult<Option<PaymentSchedule>> {
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let found = load_schedule(&mut conn, id, Some((user, account)))
            .await
            .map_err(db_err)?;
        Ok(found.map(|s| s.schedule))
    }

    async fn schedules(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        page: PageQuery,
    ) -> StoreResult<Page<PaymentSchedule>> {
        let ids: Page<(i64,)> = fetch_page(
            &self.read,
            "id",
            "id",
            "payment_schedules WHERE monetary_account_id = $1 AND user_id = $2",
            &[Arg::Int(account.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(ids.items.len());
        for (id,) in &ids.items {
            if let Some(s) = load_schedule(&mut conn, *id, None).await.map_err(db_err)? {
                items.push(s.schedule);
            }
        }
        Ok(Page {
            items,
            has_older: ids.has_older,
            has_newer: ids.has_newer,
        })
    }

    async fn schedule_instances(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: i64,
        page: PageQuery,
    ) -> StoreResult<Option<Page<ScheduleInstance>>> {
        if self.schedule(user, account, schedule).await?.is_none() {
            return Ok(None);
        }
        let ids: Page<(i64,)> = fetch_page(
            &self.read,
            "id",
            "id",
            "schedule_instances WHERE schedule_id = $1",
            &[Arg::Int(schedule)],
            page,
        )
        .await?;
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        let mut items = Vec::with_capacity(ids.items.len());
        for (id,) in &ids.items {
            if let Some(i) = load_instance(&mut conn, schedule, *id)
                .await
                .map_err(db_err)?
            {
                items.push(i);
            }
        }
        Ok(Some(Page {
            items,
            has_older: ids.has_older,
            has_newer: ids.has_newer,
        }))
    }

    async fn schedule_instance(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        schedule: i64,
        id: i64,
    ) -> StoreResult<Option<ScheduleInstance>> {
        if self.schedule(user, account, schedule).await?.is_none() {
            return Ok(None);
        }
        let mut conn = self.read.acquire().await.map_err(db_err)?;
        load_instance(&mut conn, schedule, id).await.map_err(db_err)
    }

    async fn run_schedules(&self, now: Timestamp, limit: u32) -> StoreResult<usize> {
        // The worker asks when its poll found a run due (`worker_poll`), which another loop
        // may have taken since; a read answers "nothing due" without a write (on SQLite a
        // write is a commit of the single writer).
        if self
            .next_schedule_run_at()
            .await?
            .is_none_or(|next| next > now)
        {
            return Ok(0);
        }
        let backend = self.backend;
        self.write(move |conn| Box::pin(async move { run_due(conn, backend, now, limit).await }))
            .await
    }

    async fn next_schedule_run_at(&self) -> StoreResult<Option<Timestamp>> {
        // A point read (`readers`), on the index. The worker reads it with the clock
        // (`worker_poll`).
        let next: Option<Option<i64>> = self
            .read_scalar(Statement::new("SELECT MIN(run_at) FROM schedule_timers"))
            .await
            .map_err(db_err)?;
        Ok(next.flatten().map(Timestamp))
    }
}
