//! The user's event feed.

use async_trait::async_trait;

use crate::{
    feed::{Event, EventFilter},
    model::{Page, PageQuery, UserId},
};

use super::StoreResult;

/// Reading the feed; events are recorded by the writes they report, in their transaction.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// The user's events matching `filter`, newest first.
    async fn events(
        &self,
        user: UserId,
        filter: &EventFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Event>>;
    /// One of the user's events; `None` for an unknown id or another user's event.
    async fn event(&self, user: UserId, id: i64) -> StoreResult<Option<Event>>;
}
