//! Scheduled payments (bunq `SchedulePayment`): one payment, repeated on the virtual clock by
//! a recurrence, each run a `ScheduleInstance`. Occurrence `k` is computed from the start, not
//! from the run before, so a schedule started on the 31st runs on the last day of shorter
//! months and on the 31st again after them.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, TimeDelta};

use super::payment::{new_payment, NewPayment, PaymentInput, PaymentPolicy};
use crate::{
    model::{MonetaryAccountId, PaymentId, UserId},
    provision::enums::wire_enum,
    text,
    time::Timestamp,
    DomainError,
};

wire_enum! {
    /// `Schedule.recurrence_unit`.
    RecurrenceUnit {
        Once = "ONCE",
        Hourly = "HOURLY",
        Daily = "DAILY",
        Weekly = "WEEKLY",
        Monthly = "MONTHLY",
        Yearly = "YEARLY",
    }
}

wire_enum! {
    /// `SchedulePayment.status` / `Schedule.status`.
    ScheduleStatus {
        Active = "ACTIVE",
        Finished = "FINISHED",
        Cancelled = "CANCELLED",
    }
}

wire_enum! {
    /// `ScheduleInstance.state` (bunq also has RETRY; provisio does not retry).
    InstanceState {
        FinishedSuccessfully = "FINISHED_SUCCESSFULLY",
        FailedUserError = "FAILED_USER_ERROR",
    }
}

/// The largest `recurrence_size` taken (every 1,000 units).
pub const MAX_RECURRENCE_SIZE: i64 = 1_000;

/// A schedule's timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurrence {
    pub time_start: Timestamp,
    pub time_end: Option<Timestamp>,
    pub unit: RecurrenceUnit,
    pub size: i64,
}

impl Recurrence {
    /// When occurrence `k` (0 = the start) falls; `None` past the end or when there is none.
    pub fn occurrence(&self, k: i64) -> Option<Timestamp> {
        if k < 0 || (self.unit == RecurrenceUnit::Once && k > 0) {
            return None;
        }
        let start = DateTime::from_timestamp_micros(self.time_start.micros())?;
        let steps = k.checked_mul(self.size)?;
        let at = match self.unit {
            RecurrenceUnit::Once => Some(start),
            RecurrenceUnit::Hourly => start.checked_add_signed(TimeDelta::try_hours(steps)?),
            RecurrenceUnit::Daily => start.checked_add_signed(TimeDelta::try_days(steps)?),
            RecurrenceUnit::Weekly => start.checked_add_signed(TimeDelta::try_weeks(steps)?),
            // chrono keeps the day of month, or the month's last day where it has fewer.
            RecurrenceUnit::Monthly => {
                start.checked_add_months(Months::new(u32::try_from(steps).ok()?))
            }
            RecurrenceUnit::Yearly => {
                start.checked_add_months(Months::new(u32::try_from(steps.checked_mul(12)?).ok()?))
            }
        }?;
        let at = Timestamp(at.timestamp_micros());
        match self.time_end {
            Some(end) if at > end => None,
            _ => Some(at),
        }
    }

    /// The first occurrence at or after `now`, with its index.
    pub fn next_from(&self, now: Timestamp) -> Option<(i64, Timestamp)> {
        // Units of fixed length jump close to `now` at once; months and years count on (a few
        // hundred steps at most for a schedule started decades ago).
        let hour = 3_600_000_000_i64;
        let fixed = match self.unit {
            RecurrenceUnit::Hourly => Some(hour),
            RecurrenceUnit::Daily => Some(24 * hour),
            RecurrenceUnit::Weekly => Some(7 * 24 * hour),
            _ => None,
        };
        let behind = now.micros().saturating_sub(self.time_start.micros());
        let mut k = match fixed {
            Some(unit) if behind > 0 => (behind / unit.saturating_mul(self.size)).max(1) - 1,
            _ => 0,
        };
        loop {
            let at = self.occurrence(k)?;
            if at >= now {
                return Some((k, at));
            }
            k += 1;
        }
    }
}

/// A schedule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSchedule {
    pub id: i64,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub status: ScheduleStatus,
    pub recurrence: Recurrence,
    pub payment: NewPayment,
    /// The account's own IBAN and holder name (`SchedulePaymentEntry.alias`).
    pub alias_iban: String,
    pub alias_name: String,
    pub created: Timestamp,
    pub updated: Timestamp,
}

/// A validated schedule to store, with the payment rule in force when it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSchedule {
    pub recurrence: Recurrence,
    pub payment: NewPayment,
    pub policy: PaymentPolicy,
}

/// One run of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleInstance {
    pub id: i64,
    pub schedule_id: i64,
    pub monetary_account_id: MonetaryAccountId,
    pub user_id: UserId,
    pub state: InstanceState,
    pub time_start: Timestamp,
    pub time_end: Timestamp,
    /// The paying side of the payment it made.
    pub payment: Option<super::payment::Payment>,
    pub payment_id: Option<PaymentId>,
    pub error_message: Option<String>,
    pub created: Timestamp,
}

/// `schedule` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleInput {
    pub time_start: Option<String>,
    pub time_end: Option<String>,
    pub recurrence_unit: Option<String>,
    pub recurrence_size: Option<i64>,
}

/// A bunq timestamp (`YYYY-MM-DD hh:mm:ss[.ffffff]`, UTC) or a date (midnight UTC).
fn parse_time(field: &str, value: &str) -> Result<Timestamp, DomainError> {
    let value = value.trim();
    NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .map(|t| Timestamp(t.and_utc().timestamp_micros()))
        .ok_or_else(|| {
            DomainError::invalid(format!(
                "{field} must be a UTC time such as \"2026-01-31 09:00:00.000000\"; got {}.",
                text::quoted(value)
            ))
        })
}

/// Validates `schedule`. Occurrences before `now` are not run: the first run is the first
/// occurrence at or after `now`.
pub fn recurrence(input: &ScheduleInput, now: Timestamp) -> Result<Recurrence, DomainError> {
    let start = input
        .time_start
        .as_deref()
        .ok_or_else(|| DomainError::invalid("schedule.time_start is required."))?;
    let time_start = parse_time("schedule.time_start", start)?;
    let time_end = input
        .time_end
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| parse_time("schedule.time_end", t))
        .transpose()?;
    if time_end.is_some_and(|end| end < time_start) {
        return Err(DomainError::invalid(
            "schedule.time_end is before schedule.time_start.",
        ));
    }
    let unit_text = input.recurrence_unit.as_deref().ok_or_else(|| {
        DomainError::invalid("schedule.recurrence_unit is required (ONCE, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY).")
    })?;
    let unit = RecurrenceUnit::parse(unit_text).ok_or_else(|| {
        DomainError::invalid(format!(
            "schedule.recurrence_unit {} is not one of ONCE, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY.",
            text::quoted(unit_text)
        ))
    })?;
    let size = input.recurrence_size.unwrap_or(1);
    if !(1..=MAX_RECURRENCE_SIZE).contains(&size) {
        return Err(DomainError::invalid(format!(
            "schedule.recurrence_size must be from 1 to {MAX_RECURRENCE_SIZE}; got {size}."
        )));
    }
    let recurrence = Recurrence {
        time_start,
        time_end,
        unit,
        size,
    };
    if recurrence.next_from(now).is_none() {
        return Err(DomainError::invalid(
            "This schedule has no run left: every occurrence is in the past.",
        ));
    }
    Ok(recurrence)
}

/// Validates a `POST …/schedule-payment` body.
pub fn new_schedule(
    payment: Option<&PaymentInput>,
    schedule: Option<&ScheduleInput>,
    policy: PaymentPolicy,
    now: Timestamp,
) -> Result<NewSchedule, DomainError> {
    let payment = payment.ok_or_else(|| DomainError::invalid("payment is required."))?;
    let schedule = schedule.ok_or_else(|| DomainError::invalid("schedule is required."))?;
    let payment =
        new_payment(payment).map_err(|e| DomainError::invalid(format!("payment: {e}")))?;
    Ok(NewSchedule {
        recurrence: recurrence(schedule, now)?,
        payment,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_time("t", text).unwrap_or(Timestamp(0))
    }

    fn monthly(start: &str) -> Recurrence {
        Recurrence {
            time_start: at(start),
            time_end: None,
            unit: RecurrenceUnit::Monthly,
            size: 1,
        }
    }

    #[test]
    fn the_31st_runs_on_the_last_day_of_shorter_months_then_on_the_31st_again() {
        let r = monthly("2027-01-31 09:00:00");
        let runs: Vec<_> = (0..4).map(|k| r.occurrence(k)).collect();
        assert_eq!(
            runs,
            vec![
                Some(at("2027-01-31 09:00:00")),
                Some(at("2027-02-28 09:00:00")),
                Some(at("2027-03-31 09:00:00")),
                Some(at("2027-04-30 09:00:00")),
            ]
        );
        let leap = monthly("2028-01-31 00:00:00");
        assert_eq!(leap.occurrence(1), Some(at("2028-02-29")));
    }

    #[test]
    fn units_sizes_and_the_end() {
        let mut r = Recurrence {
            time_start: at("2027-01-01 10:00:00"),
            time_end: Some(at("2027-01-15 10:00:00")),
            unit: RecurrenceUnit::Weekly,
            size: 2,
        };
        assert_eq!(r.occurrence(1), Some(at("2027-01-15 10:00:00")));
        assert_eq!(r.occurrence(2), None, "past the end");
        r.unit = RecurrenceUnit::Once;
        assert_eq!(r.occurrence(0), Some(at("2027-01-01 10:00:00")));
        assert_eq!(r.occurrence(1), None);
        r.unit = RecurrenceUnit::Hourly;
        r.size = 3;
        assert_eq!(r.occurrence(2), Some(at("2027-01-01 16:00:00")));
        r.unit = RecurrenceUnit::Yearly;
        r.time_end = None;
        r.size = 1;
        assert_eq!(r.occurrence(1), Some(at("2028-01-01 10:00:00")));
        assert_eq!(
            r.next_from(at("2027-06-01")),
            Some((1, at("2028-01-01 10:00:00")))
        );
    }

    #[test]
    fn schedules_are_validated() {
        let now = at("2027-01-01");
        let input = |start: &str, unit: &str, size| ScheduleInput {
            time_start: Some(start.into()),
            time_end: None,
            recurrence_unit: Some(unit.into()),
            recurrence_size: size,
        };
        assert!(recurrence(&input("2027-01-02 00:00:00.000000", "MONTHLY", None), now).is_ok());
        assert!(recurrence(&input("2027-01-02", "FORTNIGHTLY", None), now).is_err());
        assert!(recurrence(&input("2027-01-02", "DAILY", Some(0)), now).is_err());
        assert!(recurrence(&input("02/01/2027", "DAILY", None), now).is_err());
        assert!(
            recurrence(&input("2026-01-02", "ONCE", None), now).is_err(),
            "in the past"
        );
        assert!(
            recurrence(&input("2026-01-02", "DAILY", None), now).is_ok(),
            "runs on"
        );
    }
}
