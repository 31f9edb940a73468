//! The user's event feed (`core::feed`): [`record_event`], which every domain calls inside the
//! transaction of the change it reports, and the `EventStore` that reads it.
//!
//! A common module: it knows events by kind and id only (an open set), never what they are
//! about, so any domain folder may record one and none is imported here.

use async_trait::async_trait;
use provisio_core::{
    feed::{Event, EventAction, EventFilter, EventStatus, NewEvent},
    model::{MonetaryAccountId, Page, PageQuery, UserId},
    store::{EventStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use crate::{
    batch::{Batch, Statement},
    db_err,
    page::{fetch_page, Arg},
    placeholders,
    rows::parse,
    SqlStore,
};

const EVENT_COLUMNS: &str = "id, user_id, monetary_account_id, object_kind, object_id, action, \
     status, display_user_event, created, updated";

/// The columns an event is written with ([`events_statement`], [`events_of`]).
const EVENT_INSERT: &str = "INSERT INTO events (user_id, monetary_account_id, object_kind, \
     object_id, action, status, created, updated)";

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    user_id: i64,
    monetary_account_id: Option<i64>,
    object_kind: String,
    object_id: i64,
    action: String,
    status: String,
    display_user_event: i64,
    created: i64,
    updated: i64,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(Event {
            id: r.id,
            user_id: UserId(r.user_id),
            monetary_account_id: r.monetary_account_id.map(MonetaryAccountId),
            kind: r.object_kind,
            object_id: r.object_id,
            action: parse(EventAction::parse, &r.action)?,
            status: parse(EventStatus::parse, &r.status)?,
            display_user_event: r.display_user_event != 0,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

/// Records `event` in the transaction of the change it reports (the caller's `conn`), so the
/// feed shows a change exactly when it committed.
pub(crate) async fn record_event(
    conn: &mut AnyConnection,
    event: &NewEvent<'_>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    record_events(conn, std::slice::from_ref(event), now).await
}

/// [`record_event`] for several events in one INSERT (both sides of a payment): inside a
/// write each statement is a round trip.
pub(crate) async fn record_events(
    conn: &mut AnyConnection,
    events: &[NewEvent<'_>],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new();
    if let Some(insert) = events_statement(events, now) {
        batch.push(insert);
    }
    batch.run(conn).await.map(drop)
}

/// The INSERT of [`record_events`], for a write that sends it with other statements in one
/// [`Batch`]; none without events.
pub(crate) fn events_statement(events: &[NewEvent<'_>], now: Timestamp) -> Option<Statement> {
    if events.is_empty() {
        return None;
    }
    // `$1` is the time; each event binds six values after it.
    let rows: Vec<String> = (0..events.len())
        .map(|row| format!("({}, $1, $1)", placeholders(2 + row * 6, 6)))
        .collect();
    let sql = format!("{EVENT_INSERT} VALUES {}", rows.join(", "));
    let mut insert = Statement::new(sql).bind(now.micros());
    for event in events {
        insert = insert
            .bind(event.user_id.0)
            .bind(event.monetary_account_id.map(|a| a.0))
            .bind(event.kind)
            .bind(event.object_id)
            .bind(event.action.as_str())
            .bind(event.status.as_str());
    }
    Some(insert)
}

/// The INSERT of one event for each row of `source` (a part of a chained statement, see
/// `chain`, with the columns `id`, `user_id` and `monetary_account_id` of the object the
/// event is about), of `kind`, `action` and `status`. The events are numbered in the order of
/// their objects' ids, as [`events_statement`] numbers them in the order given.
pub(crate) fn events_of(
    source: &str,
    kind: &str,
    action: EventAction,
    status: EventStatus,
    now: Timestamp,
) -> Statement {
    Statement::new(format!(
        "{EVENT_INSERT} SELECT user_id, monetary_account_id, $1, id, $2, $3, $4, $4 \
         FROM {source} ORDER BY id"
    ))
    .bind(kind)
    .bind(action.as_str())
    .bind(status.as_str())
    .bind(now.micros())
}

/// `events WHERE …` for `user` and `filter`, with its arguments. Account ids are bound one
/// placeholder each.
fn filtered(user: UserId, filter: &EventFilter) -> (String, Vec<Arg>) {
    let mut sql = "events WHERE user_id = $1".to_owned();
    let mut args = vec![Arg::Int(user.0)];
    if !filter.accounts.is_empty() {
        let places = placeholders(args.len() + 1, filter.accounts.len());
        sql.push_str(&format!(" AND monetary_account_id IN ({places})"));
        args.extend(filter.accounts.iter().map(|a| Arg::Int(a.0)));
    }
    if let Some(status) = filter.status {
        args.push(Arg::Text(status.as_str().to_owned()));
        sql.push_str(&format!(" AND status = ${}", args.len()));
    }
    if let Some(display) = filter.display_user_event {
        args.push(Arg::Int(i64::from(display)));
        sql.push_str(&format!(" AND display_user_event = ${}", args.len()));
    }
    (sql, args)
}

#[async_trait]
impl EventStore for SqlStore {
    async fn events(
        &self,
        user: UserId,
        filter: &EventFilter,
        page: PageQuery,
    ) -> StoreResult<Page<Event>> {
        let (table_where, args) = filtered(user, filter);
        let rows: Page<EventRow> =
            fetch_page(&self.read, EVENT_COLUMNS, "id", &table_where, &args, page).await?;
        rows.try_map(Event::try_from)
    }

    async fn event(&self, user: UserId, id: i64) -> StoreResult<Option<Event>> {
        let row: Option<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE id = $1 AND user_id = $2"
        ))
        .bind(id)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(Event::try_from).transpose()
    }
}
