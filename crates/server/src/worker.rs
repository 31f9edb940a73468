//! The background worker: carries provisions through their asynchronous steps, expires
//! unused credentials on time, runs the card timers (order steps, CVC2 and 3DS expiry) and the
//! scheduled payments' runs.
//!
//! Design: [`Worker::run_once`] claims a batch of due jobs with a lease, decides each job's
//! outcome from the provision's current phase (pure: `plan::advance`), and finishes the whole
//! batch in one transaction. Batching is what makes durable commits affordable: one commit
//! carries hundreds of steps. [`Worker::run`] is a thin loop around it that sleeps only when
//! idle, until the next job is due, new work is signalled, or it is told to stop. Tests call
//! `run_once` directly to drain the queue without sleeping.

use std::{
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use provisio_core::{
    model::Environment,
    provision::{
        plan::{self, JobKind, StepContext},
        record::{ClaimedJob, JobOutcome},
        state::Phase,
    },
    store::Store,
    time::{Clock, Timestamp},
    StoreError,
};
use tokio::sync::{watch, Notify};

use crate::config::WorkerConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Worked(usize),
    Idle,
}

pub struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    environment: Environment,
    config: WorkerConfig,
    name: String,
    claims: AtomicU64,
    /// The store's count of writes that queued deliveries, when the dispatcher was last told.
    deliveries_seen: AtomicU64,
    /// When the next card timer or scheduled run is due, as the last batch read it
    /// (microseconds; `i64::MAX`: none).
    next_timer: AtomicI64,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        environment: Environment,
        config: WorkerConfig,
    ) -> Self {
        Worker {
            store,
            clock,
            environment,
            config,
            name: format!("worker-{}", provisio_core::ids::fresh_uuid().simple()),
            claims: AtomicU64::new(0),
            deliveries_seen: AtomicU64::new(0),
            next_timer: AtomicI64::new(i64::MAX),
        }
    }

    /// Claims and finishes one batch of due jobs.
    pub async fn run_once(&self) -> Result<Outcome, StoreError> {
        // Each claim gets its own token, so finishing touches exactly the jobs it claimed.
        let token = format!(
            "{}:{}",
            self.name,
            self.claims.fetch_add(1, Ordering::Relaxed)
        );
        // Another process may have advanced the shared clock (see `sandbox_clock`). When the
        // next card timer and scheduled run are due comes in the same read.
        let poll = self.store.worker_poll().await?;
        self.clock.observe_shared_offset(poll.clock_offset);
        let now = self.clock.now();
        let due = |at: Option<Timestamp>| at.is_some_and(|at| at <= now);
        let mut timers = 0;
        // Card timers (order steps, CVC2 and 3DS expiry) run in the transaction that takes them.
        if due(poll.next_card_timer) {
            timers += self.store.run_card_timers(now, self.config.batch).await?;
        }
        // Scheduled payments' runs, each on its own date, in time order.
        if due(poll.next_schedule_run) {
            timers += self.store.run_schedules(now, self.config.batch).await?;
        }
        // What the idle pause waits for besides jobs; a timer that was due has run, and the
        // batch is not idle then.
        let next_timer = poll
            .next_card_timer
            .into_iter()
            .chain(poll.next_schedule_run)
            .min();
        self.next_timer.store(
            next_timer.map_or(i64::MAX, |at| at.micros()),
            Ordering::Relaxed,
        );
        let jobs = self
            .store
            .claim_jobs(&token, now, self.config.lease, self.config.batch)
            .await?;
        if jobs.is_empty() {
            return Ok(if timers == 0 {
                Outcome::Idle
            } else {
                Outcome::Worked(timers)
            });
        }
        let count = jobs.len();
        let outcomes: Vec<_> = jobs
            .into_iter()
            .map(|job| {
                let outcome = self.decide(&job, now);
                (job, outcome)
            })
            .collect();
        if let Err(err) = self.store.finish_jobs(&token, outcomes.clone(), now).await {
            // One bad job must not hold the whole batch back: finish them one by one. A job
            // that still fails keeps its lease and is retried when the lease runs out.
            tracing::warn!(error = ?err, jobs = count, "batch failed; finishing its jobs one by one");
            for outcome in outcomes {
                let job = outcome.0.id;
                if let Err(err) = self.store.finish_jobs(&token, vec![outcome], now).await {
                    tracing::error!(error = ?err, job = %job, "job failed; it will be retried");
                }
            }
        }
        Ok(Outcome::Worked(count + timers))
    }

    fn decide(&self, job: &ClaimedJob, now: Timestamp) -> JobOutcome {
        match job.kind {
            JobKind::ExpireCredential => JobOutcome::ExpireCredential,
            JobKind::ReviewIdentity => JobOutcome::ReviewIdentity,
            JobKind::Advance => {
                if job
                    .expect
                    .is_some_and(|e| e != (job.state.status, job.state.sub_status))
                {
                    return JobOutcome::Stale;
                }
                let Some(phase) =
                    Phase::from_stored(job.state.status, job.state.sub_status, job.state.resume)
                else {
                    tracing::error!(provision = %job.provision_id, "provision in an unknown state");
                    return JobOutcome::Stale;
                };
                let ctx = StepContext {
                    now,
                    step_delay: self.config.step_delay,
                    environment: self.environment,
                    products: &job.products,
                };
                plan::advance(phase, &ctx).map_or(JobOutcome::Stale, JobOutcome::Step)
            }
        }
    }

    /// Works until `stop` turns true. `wake` cuts an idle sleep short; `deliver` is told after
    /// each batch that queued webhooks.
    pub async fn run(
        self: Arc<Self>,
        stop: watch::Receiver<bool>,
        wake: Arc<Notify>,
        deliver: Arc<Notify>,
    ) {
        tracing::info!(worker = %self.name, "worker started");
        background_loop(self.as_ref(), stop, wake, Some(deliver)).await;
        tracing::info!(worker = %self.name, "worker stopped");
    }

    /// Until the next job, card timer or scheduled run is due, at most `idle_poll`. The
    /// timers' times are those the batch before read (see `run_once`): a timer written since
    /// is found at the next poll at the latest.
    pub(crate) async fn idle_pause(&self) -> Duration {
        let poll = self.config.idle_poll;
        let job = self.store.next_job_at().await.ok().flatten();
        let timer = Some(self.next_timer.load(Ordering::Relaxed))
            .filter(|at| *at != i64::MAX)
            .map(Timestamp);
        match job.into_iter().chain(timer).min() {
            Some(next) => self.clock.now().until(next).min(poll),
            None => poll,
        }
    }
}

/// A task that works in batches: the provision worker, the webhook dispatcher.
pub(crate) trait Batches: Send + Sync {
    const NAME: &'static str;
    fn batch(&self) -> impl std::future::Future<Output = Result<Outcome, StoreError>> + Send;
    /// How long to sleep when there was nothing to do.
    fn idle(&self) -> impl std::future::Future<Output = Duration> + Send;
    /// Whether the batches since the last call may have queued webhook deliveries: whoever
    /// is told after a batch is told only then.
    fn queued_deliveries(&self) -> bool {
        true
    }
}

impl Batches for Worker {
    const NAME: &'static str = "worker";

    fn batch(&self) -> impl std::future::Future<Output = Result<Outcome, StoreError>> + Send {
        self.run_once()
    }

    fn idle(&self) -> impl std::future::Future<Output = Duration> + Send {
        self.idle_pause()
    }

    /// Only when a write of this process queued deliveries since the last look (counted after
    /// each commit, see `WebhookStore::deliveries_queued`, so the count read here includes this
    /// batch's): most steps queue nothing, and each wake costs the dispatcher its reads.
    /// Without a count, always.
    fn queued_deliveries(&self) -> bool {
        match self.store.deliveries_queued() {
            Some(count) => self.deliveries_seen.swap(count, Ordering::AcqRel) != count,
            None => true,
        }
    }
}

/// The loop every background task shares: work while there is work (telling `after` about
/// each batch that may have queued deliveries); when idle, sleep as long as `idle` says,
/// until `wake`, or until told to stop; back off when a batch fails.
pub(crate) async fn background_loop<T: Batches>(
    task: &T,
    mut stop: watch::Receiver<bool>,
    wake: Arc<Notify>,
    after: Option<Arc<Notify>>,
) {
    let mut failures = 0u32;
    while !*stop.borrow() {
        let pause = match task.batch().await {
            Ok(Outcome::Worked(_)) => {
                failures = 0;
                if let Some(after) = after.as_ref().filter(|_| task.queued_deliveries()) {
                    after.notify_one();
                }
                continue;
            }
            Ok(Outcome::Idle) => {
                failures = 0;
                task.idle().await
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                tracing::error!(task = T::NAME, error = ?err, "batch failed; retrying");
                Duration::from_millis(100u64.saturating_mul(1 << failures.min(6)))
            }
        };
        tokio::select! {
            _ = stop.changed() => {}
            () = wake.notified() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}
