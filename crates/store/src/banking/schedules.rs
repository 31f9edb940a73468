//! Scheduled payments as stored: the schedule (its payment, its recurrence, whom it may pay),
//! the timer of its next run (`schedule_timers`, written in the schedule's transaction), and
//! its runs (`schedule_instances`). The runs themselves are `schedule_runs`. A change raises the
//! schedule's version and writes a new timer; the old one is dropped as stale when it comes
//! due, so a change never takes timer rows that a running worker holds (no lock cycle).

use provisio_core::{
    account::{
        payment::{NewPayment, Payment, PaymentPolicy},
        pointer::Pointer,
        schedule::{
            InstanceState, NewSchedule, PaymentSchedule, Recurrence, RecurrenceUnit,
            ScheduleInstance, ScheduleStatus,
        },
    },
    feed::{self, EventAction, EventStatus, NewEvent},
    model::{MonetaryAccountId, PaymentId, UserId},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::ledger::{PaymentRow, PAYMENT_COLUMNS};
use crate::{
    feed::record_event,
    frozen,
    rows::{corrupt, parse},
};

const SCHEDULE_COLUMNS: &str = "s.id, s.monetary_account_id, s.user_id, s.status, s.time_start, \
     s.time_end, s.recurrence_unit, s.recurrence_size, s.amount_minor, s.currency, \
     s.counterparty_type, s.counterparty_iban, s.counterparty_name, s.description, s.merchant_reference, s.payees, \
     s.external, s.created, s.updated, a.iban, a.display_name";

#[derive(sqlx::FromRow)]
struct ScheduleRow {
    id: i64,
    monetary_account_id: i64,
    user_id: i64,
    status: String,
    time_start: i64,
    time_end: Option<i64>,
    recurrence_unit: String,
    recurrence_size: i64,
    amount_minor: i64,
    currency: String,
    counterparty_type: String,
    counterparty_iban: String,
    counterparty_name: String,
    description: String,
    merchant_reference: Option<String>,
    payees: Option<String>,
    external: i64,
    created: i64,
    updated: i64,
    iban: String,
    display_name: String,
}

/// A schedule with the payment rule it pays by.
pub(super) struct Stored {
    pub(super) schedule: PaymentSchedule,
    pub(super) policy: PaymentPolicy,
}

impl TryFrom<ScheduleRow> for Stored {
    type Error = StoreError;

    fn try_from(r: ScheduleRow) -> Result<Self, StoreError> {
        let payees = r
            .payees
            .map(|list| {
                list.split(',')
                    .filter(|p| !p.is_empty())
                    .map(|p| p.parse().map(UserId))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| StoreError::Corrupt(format!("schedule payees {list:?}")))
            })
            .transpose()?;
        Ok(Stored {
            schedule: PaymentSchedule {
                id: r.id,
                monetary_account_id: MonetaryAccountId(r.monetary_account_id),
                user_id: UserId(r.user_id),
                status: parse(ScheduleStatus::parse, &r.status)?,
                recurrence: Recurrence {
                    time_start: Timestamp(r.time_start),
                    time_end: r.time_end.map(Timestamp),
                    unit: parse(RecurrenceUnit::parse, &r.recurrence_unit)?,
                    size: r.recurrence_size,
                },
                payment: NewPayment {
                    amount_minor: r.amount_minor,
                    currency: r.currency,
                    counterparty: Pointer::stored(
                        &r.counterparty_type,
                        &r.counterparty_iban,
                        &r.counterparty_name,
                    )
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("schedule pointer {:?}", r.counterparty_type))
                    })?,
                    description: r.description,
                    merchant_reference: r.merchant_reference,
                },
                alias_iban: r.iban,
                alias_name: r.display_name,
                created: Timestamp(r.created),
                updated: Timestamp(r.updated),
            },
            policy: PaymentPolicy {
                payees,
                external: r.external != 0,
            },
        })
    }
}

/// Schedule `id` (and, when `owner` is given, only if it is that user's on that account).
pub(super) async fn load_schedule(
    conn: &mut AnyConnection,
    id: i64,
    owner: Option<(UserId, MonetaryAccountId)>,
) -> Result<Option<Stored>, sqlx::Error> {
    let base = format!(
        "SELECT {SCHEDULE_COLUMNS} FROM payment_schedules s \
         JOIN monetary_accounts a ON a.id = s.monetary_account_id WHERE s.id = $1"
    );
    let row: Option<ScheduleRow> = match owner {
        Some((user, account)) => {
            sqlx::query_as(&format!(
                "{base} AND s.user_id = $2 AND s.monetary_account_id = $3"
            ))
            .bind(id)
            .bind(user.0)
            .bind(account.0)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&base)
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    row.map(Stored::try_from).transpose().map_err(corrupt)
}

/// Writes the timer of run number `occurrence` of `version` of the schedule, due at `run_at`.
pub(super) async fn set_timer(
    conn: &mut AnyConnection,
    schedule: i64,
    version: i64,
    occurrence: i64,
    run_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO schedule_timers (schedule_id, version, occurrence, run_at, created) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(schedule)
    .bind(version)
    .bind(occurrence)
    .bind(run_at.micros())
    .bind(now.micros())
    .execute(&mut *conn)
    .await
    .map(drop)
}

fn refused(message: impl Into<String>) -> sqlx::Error {
    frozen::refuse(StoreError::Refused(message.into()))
}

fn next_run(recurrence: &Recurrence, now: Timestamp) -> Result<(i64, Timestamp), sqlx::Error> {
    recurrence
        .next_from(now)
        .ok_or_else(|| refused("This schedule has no run left: every occurrence is in the past."))
}

fn payees_text(policy: &PaymentPolicy) -> Option<String> {
    policy.payees.as_ref().map(|p| {
        p.iter()
            .map(|u| u.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

pub(super) async fn create_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    new: &NewSchedule,
    now: Timestamp,
) -> Result<Option<PaymentSchedule>, sqlx::Error> {
    let owned: Option<i64> =
        sqlx::query_scalar("SELECT id FROM monetary_accounts WHERE id = $1 AND user_id = $2")
            .bind(account.0)
            .bind(user.0)
            .fetch_optional(&mut *conn)
            .await?;
    if owned.is_none() {
        return Ok(None);
    }
    frozen::writable(conn, user.0).await?;
    let (occurrence, run_at) = next_run(&new.recurrence, now)?;
    let (r, p) = (&new.recurrence, &new.payment);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO payment_schedules (monetary_account_id, user_id, status, time_start, \
         time_end, recurrence_unit, recurrence_size, amount_minor, currency, counterparty_type, \
         counterparty_iban, counterparty_name, description, merchant_reference, payees, external, \
         version, created, updated) \
         VALUES ($1, $2, 'ACTIVE', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0, \
         $16, $16) RETURNING id",
    )
    .bind(account.0)
    .bind(user.0)
    .bind(r.time_start.micros())
    .bind(r.time_end.map(|t| t.micros()))
    .bind(r.unit.as_str())
    .bind(r.size)
    .bind(p.amount_minor)
    .bind(p.currency.clone())
    .bind(p.counterparty.kind())
    .bind(p.counterparty.value().to_owned())
    .bind(p.counterparty.name().to_owned())
    .bind(p.description.clone())
    .bind(p.merchant_reference.clone())
    .bind(payees_text(&new.policy))
    .bind(i64::from(new.policy.external))
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    set_timer(conn, id, 0, occurrence, run_at, now).await?;
    let on_feed = NewEvent {
        user_id: user,
        monetary_account_id: Some(account),
        kind: feed::SCHEDULE_PAYMENT,
        object_id: id,
        action: EventAction::Create,
        status: EventStatus::Finalized,
    };
    record_event(conn, &on_feed, now).await?;
    Ok(load_schedule(conn, id, None).await?.map(|s| s.schedule))
}

/// Takes an ACTIVE schedule of the user's for a change, raising its version (its timer is
/// stale from now on); answers the new version, `None` when there is no such schedule.
async fn lock_active(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    let found: Option<(String, i64)> = sqlx::query_as(
        "UPDATE payment_schedules SET version = version + 1 \
         WHERE id = $1 AND user_id = $2 AND monetary_account_id = $3 RETURNING status, version",
    )
    .bind(id)
    .bind(user.0)
    .bind(account.0)
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        None => Ok(None),
        Some((s, version)) if s == ScheduleStatus::Active.as_str() => Ok(Some(version)),
        Some((s, _)) => Err(refused(format!(
            "This schedule is {s}; only an ACTIVE schedule can be changed or cancelled."
        ))),
    }
}

pub(super) async fn update_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    new: &NewSchedule,
    now: Timestamp,
) -> Result<Option<PaymentSchedule>, sqlx::Error> {
    let Some(version) = lock_active(conn, user, account, id).await? else {
        return Ok(None);
    };
    let (occurrence, run_at) = next_run(&new.recurrence, now)?;
    let (r, p) = (&new.recurrence, &new.payment);
    sqlx::query(
        "UPDATE payment_schedules SET time_start = $2, time_end = $3, recurrence_unit = $4, \
         recurrence_size = $5, amount_minor = $6, currency = $7, counterparty_type = $8, \
         counterparty_iban = $9, counterparty_name = $10, description = $11, \
         merchant_reference = $12, payees = $13, external = $14, updated = $15 WHERE id = $1",
    )
    .bind(id)
    .bind(r.time_start.micros())
    .bind(r.time_end.map(|t| t.micros()))
    .bind(r.unit.as_str())
    .bind(r.size)
    .bind(p.amount_minor)
    .bind(p.currency.clone())
    .bind(p.counterparty.kind())
    .bind(p.counterparty.value().to_owned())
    .bind(p.counterparty.name().to_owned())
    .bind(p.description.clone())
    .bind(p.merchant_reference.clone())
    .bind(payees_text(&new.policy))
    .bind(i64::from(new.policy.external))
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    set_timer(conn, id, version, occurrence, run_at, now).await?;
    Ok(load_schedule(conn, id, None).await?.map(|s| s.schedule))
}

pub(super) async fn cancel_in(
    conn: &mut AnyConnection,
    user: UserId,
    account: MonetaryAccountId,
    id: i64,
    now: Timestamp,
) -> Result<Option<PaymentSchedule>, sqlx::Error> {
    if lock_active(conn, user, account, id).await?.is_none() {
        return Ok(None);
    }
    sqlx::query("UPDATE payment_schedules SET status = 'CANCELLED', updated = $2 WHERE id = $1")
        .bind(id)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(load_schedule(conn, id, None).await?.map(|s| s.schedule))
}

/// Run `id` of schedule `schedule`, with the payment it made.
pub(super) async fn load_instance(
    conn: &mut AnyConnection,
    schedule: i64,
    id: i64,
) -> Result<Option<ScheduleInstance>, sqlx::Error> {
    type Row = (i64, i64, String, i64, i64, Option<i64>, Option<String>, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT monetary_account_id, user_id, state, time_start, time_end, payment_id, \
         error_message, created FROM schedule_instances WHERE id = $1 AND schedule_id = $2",
    )
    .bind(id)
    .bind(schedule)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((account, user, state, start, end, payment_id, error_message, created)) = row else {
        return Ok(None);
    };
    let payment = match payment_id {
        Some(p) => {
            let row: Option<PaymentRow> = sqlx::query_as(&format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1"
            ))
            .bind(p)
            .fetch_optional(&mut *conn)
            .await?;
            row.map(Payment::try_from).transpose().map_err(corrupt)?
        }
        None => None,
    };
    Ok(Some(ScheduleInstance {
        id,
        schedule_id: schedule,
        monetary_account_id: MonetaryAccountId(account),
        user_id: UserId(user),
        state: parse(InstanceState::parse, &state).map_err(corrupt)?,
        time_start: Timestamp(start),
        time_end: Timestamp(end),
        payment,
        payment_id: payment_id.map(PaymentId),
        error_message,
        created: Timestamp(created),
    }))
}
