//! Card timers on the virtual clock: a physical card's next order step, a generated CVC2's
//! expiry, an unanswered 3DS challenge's expiry. A due timer is deleted and applied in one
//! transaction, so it runs exactly once (PostgreSQL workers skip each other's rows); each
//! carries the state it was set for, and a subject that has moved on makes it a no-op.

use provisio_core::time::Timestamp;
use sqlx::AnyConnection;

use crate::Backend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
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

pub(crate) async fn schedule(
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

/// Takes up to `limit` due timers and applies them, in due order.
pub(crate) async fn run_due(
    conn: &mut AnyConnection,
    backend: Backend,
    now: Timestamp,
    limit: u32,
) -> Result<usize, sqlx::Error> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut due: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(&format!(
        "DELETE FROM card_timers WHERE id IN (SELECT id FROM card_timers WHERE run_at <= $1 \
             ORDER BY run_at, id LIMIT $2{skip_locked}) \
         RETURNING id, kind, subject_id, expect, run_at"
    ))
    .bind(now.micros())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    due.sort_by_key(|(id, _, _, _, run_at)| (*run_at, *id));
    for (_, kind, subject, expect, _) in &due {
        match kind.as_str() {
            "ORDER_STEP" => super::lifecycle::order_step(conn, *subject, expect, now).await?,
            "CVC2_EXPIRY" => super::secrets::expire_cvc2(conn, *subject, now).await?,
            "CHALLENGE_EXPIRY" => super::challenges::expire(conn, *subject, now).await?,
            other => tracing::error!(kind = other, "unknown card timer kind; dropped"),
        }
    }
    Ok(due.len())
}
