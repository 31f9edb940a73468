//! What the operator's controls need: the metrics' figures, the virtual clock, removal.

use async_trait::async_trait;

use crate::{model::UserId, time::Timestamp};

use super::StoreResult;

/// What the operator's metrics report from the database, read when they are scraped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Provisions per (status, sub_status).
    pub provisions: Vec<(String, String, u64)>,
    pub jobs_pending: u64,
    /// When the job waiting longest was (or is) due.
    pub oldest_job_due: Option<Timestamp>,
    pub deliveries_pending: u64,
    pub oldest_delivery_due: Option<Timestamp>,
    /// Deliveries that ran out of attempts (`NotificationFilterFailure`s).
    pub deliveries_failed: u64,
}

#[async_trait]
pub trait FiguresStore: Send + Sync {
    async fn figures(&self) -> StoreResult<Figures>;
}

/// What the worker reads before each batch: the shared clock's offset, and when the next
/// card timer and the next scheduled payment's run are due (none when there is none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerPoll {
    pub clock_offset: i64,
    pub next_card_timer: Option<Timestamp>,
    pub next_schedule_run: Option<Timestamp>,
}

/// How long a dashboard session lives, in microseconds of the sandbox clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DashboardSessionLimits {
    /// Ended when not seen for this long.
    pub idle: i64,
    /// Ended this long after it began, seen or not.
    pub lifetime: i64,
    /// A live session's last use is written at most this often (a page view is a read).
    pub touch_every: i64,
}

/// The sandbox controls' storage: the shared virtual clock, the store's own health, and
/// wholesale removal (a partner with everything it owns, or everything).
#[async_trait]
pub trait SandboxStore: Send + Sync {
    /// How far the virtual clock runs ahead of the system clock, in microseconds.
    async fn clock_offset(&self) -> StoreResult<i64>;
    /// [`WorkerPoll`], in one read: the worker asks before every batch, and on PostgreSQL
    /// each read is a round trip.
    async fn worker_poll(&self) -> StoreResult<WorkerPoll>;
    /// Moves the virtual clock forward by `by_micros` (> 0) and returns the new offset.
    async fn advance_clock(&self, by_micros: i64) -> StoreResult<i64>;
    /// Sets the virtual clock back to the system clock's time (offset 0): the one move back
    /// it makes, asked for by a reset (`{"clock":"real"}`).
    async fn reset_clock(&self) -> StoreResult<()>;
    /// Fails unless every migration this build knows is applied and a small write commits
    /// through the same path every change takes (a read-only store is not ready).
    async fn ready(&self) -> StoreResult<()>;
    /// Removes a partner and everything it owns (its provisioned users and their keys,
    /// provisions, sessions, devices, installations no one else uses, webhooks, onboarding and
    /// compliance records) in one transaction. `None` when there is no such partner; else the
    /// ids of the users removed.
    async fn delete_partner(&self, partner: UserId) -> StoreResult<Option<Vec<UserId>>>;
    /// Empties the store but for the server key, the virtual clock, the dashboard's sessions
    /// and the schema.
    async fn reset(&self) -> StoreResult<()>;
    /// Begins a dashboard session known by its token's hash (and forgets the ones that ran
    /// out).
    async fn start_dashboard_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        limits: DashboardSessionLimits,
    ) -> StoreResult<()>;
    /// Whether the dashboard session is live at `now` (begun, not ended, within its limits);
    /// a live one is marked as seen now.
    async fn dashboard_session_live(
        &self,
        token_hash: &str,
        now: Timestamp,
        limits: DashboardSessionLimits,
    ) -> StoreResult<bool>;
    /// Ends a dashboard session (signing out); ending an ended one is no error.
    async fn end_dashboard_session(&self, token_hash: &str) -> StoreResult<()>;
}
