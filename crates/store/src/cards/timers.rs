//! Card timers on the virtual clock: a physical card's next order step, a generated CVC2's
//! expiry, an unanswered 3DS challenge's expiry. A due timer is deleted and applied in one
//! transaction, so it runs exactly once (PostgreSQL workers skip each other's rows); each
//! carries the state it was set for, and a subject that has moved on makes it a no-op.
//!
//! Cards, CVC2s and challenges schedule timers here; the timers are run by
//! `lifecycle::run_due`, which sits above the files whose work they do.

use provisio_core::time::Timestamp;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TimerKind {
    OrderStep,
    Cvc2Expiry,
    ChallengeExpiry,
}

impl TimerKind {
    fn as_str(self) -> &'static str {
        match self {
            TimerKind::OrderStep => "ORDER_STEP",
            TimerKind::Cvc2Expiry => "CVC2_EXPIRY",
            TimerKind::ChallengeExpiry => "CHALLENGE_EXPIRY",
        }
    }
}

pub(super) async fn schedule(
    conn: &mut AnyConnection,
    kind: TimerKind,
    subject: i64,
    expect: &str,
    run_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO card_timers (kind, subject_id, expect, run_at, created) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(kind.as_str())
    .bind(subject)
    .bind(expect.to_owned())
    .bind(run_at.micros())
    .bind(now.micros())
    .execute(conn)
    .await
    .map(drop)
}
