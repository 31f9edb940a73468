//! Notification filters and the webhook outbox.

use std::time::Duration;

use async_trait::async_trait;

use crate::{
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    time::Timestamp,
    webhook::{Attempt, AttemptRecord, Delivery, DeliveryFailure, DeliveryRecord, Filter},
};

use super::StoreResult;

/// Notification filters and the webhook outbox.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Replaces all of `user`'s filters (an empty set removes them all).
    async fn replace_filters(
        &self,
        user: UserId,
        requested_by: Option<UserId>,
        filters: &[Filter],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// In the order they were set.
    async fn filters(&self, user: UserId) -> StoreResult<Vec<Filter>>;
    /// Replaces the filters set on the user's account `account` (the caller checked that it
    /// is the user's). An event about the account goes to these and to the user's own.
    async fn replace_account_filters(
        &self,
        user: UserId,
        account: MonetaryAccountId,
        requested_by: Option<UserId>,
        filters: &[Filter],
        now: Timestamp,
    ) -> StoreResult<()>;
    /// The filters set on the user's account `account`, in the order they were set.
    async fn account_filters(
        &self,
        user: UserId,
        account: MonetaryAccountId,
    ) -> StoreResult<Vec<Filter>>;
    /// Leases due deliveries; of deliveries sharing an order key, only the oldest pending one.
    async fn claim_deliveries(
        &self,
        worker: &str,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
    /// Records attempts of deliveries this worker still holds.
    async fn finish_deliveries(
        &self,
        worker: &str,
        attempts: Vec<Attempt>,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Failures of the partner and of every user it provisioned, newest first.
    async fn failures(
        &self,
        partner: UserId,
        page: PageQuery,
    ) -> StoreResult<Page<DeliveryFailure>>;
    /// Queues the named failures for one more attempt. `Err` lists ids that are not failures
    /// of this partner (nothing is queued then).
    async fn retry_failures(
        &self,
        partner: UserId,
        ids: &[i64],
        now: Timestamp,
    ) -> StoreResult<Result<(), Vec<i64>>>;
    /// When the next delivery is due, for sleeping until then.
    async fn next_delivery_at(&self) -> StoreResult<Option<Timestamp>>;
    /// How many of this process's writes have queued webhook deliveries, each counted once
    /// committed; `None` when the store does not count them. The server wakes its dispatcher
    /// after a change only when this moved: most changes (a payment without notification
    /// filters, say) queue nothing, and each needless wake is the dispatcher's reads again.
    fn deliveries_queued(&self) -> Option<u64> {
        None
    }
    /// The inspector: recent deliveries, newest first, optionally to one target, with their
    /// attempts.
    async fn deliveries(
        &self,
        target: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
    /// Makes every pending delivery due now, those waiting for a retry included; returns how
    /// many are pending.
    async fn pending_due_now(&self, now: Timestamp) -> StoreResult<u64>;
    /// Sends a delivery once more (same event id); false when there is no such delivery.
    async fn resend(&self, delivery: i64, now: Timestamp) -> StoreResult<bool>;
    /// Attempts with an id above `after`, oldest first (for following deliveries live).
    async fn attempts_since(&self, after: i64, limit: u32) -> StoreResult<Vec<AttemptRecord>>;
    /// The newest attempt's id (0 when there is none), where following starts.
    async fn latest_attempt_id(&self) -> StoreResult<i64>;
}
