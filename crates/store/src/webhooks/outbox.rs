//! The outbox: an event is queued as one delivery per target, inside the transaction of the
//! change it announces, so the event exists exactly when the change does. The delivery worker
//! takes them from there (`deliveries`).
//!
//! Generic: it knows events, targets and bodies, not what they are about. Events about a
//! provisioned user's objects render through `provisio_wire` here ([`emit_user_events`]); a
//! domain with its own rendering queues its [`Event`]s itself (the provision's, in
//! `provisioning::events`).

use provisio_core::time::Timestamp;
use sqlx::{any::AnyRow, AnyConnection, Row};

use crate::batch::{Batch, Statement};

/// One event, queued once per target.
pub(crate) struct Event<'a> {
    pub(crate) uuid: String,
    /// Whose event it is (`deliveries.user_id`).
    pub(crate) user: i64,
    pub(crate) category: &'a str,
    pub(crate) event_type: &'a str,
    pub(crate) object_id: i64,
    /// Deliveries of one object to one target go out in order: the key's prefix.
    pub(crate) order: &'a str,
}

/// One delivery to queue: `event` for `target` with the rendered `body`.
pub(crate) struct Queued<'e> {
    pub(crate) event: &'e Event<'e>,
    pub(crate) requested_by: Option<i64>,
    pub(crate) target: String,
    pub(crate) body: String,
}

/// Values a delivery binds besides the time, for [`queue_all`]'s placeholders.
const DELIVERY_BINDS: usize = 9;
/// Rows of one INSERT: 901 bound values, well under both databases' limits.
const DELIVERIES_PER_INSERT: usize = 100;

/// Queues every delivery of `queued` with one INSERT per [`DELIVERIES_PER_INSERT`] rows:
/// inside a write each statement is a round trip, and on SQLite's one writer those trips
/// bound how many writes a second commit. Rows are numbered in the order given, so the
/// deliveries of one object to one target go out in that order.
pub(crate) async fn queue_all(
    conn: &mut AnyConnection,
    queued: Vec<Queued<'_>>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new();
    for insert in queue_statements(queued, now) {
        batch.push(insert);
    }
    batch.run(conn).await.map(drop)
}

/// The INSERTs of [`queue_all`], for a write that sends them with other statements in one
/// [`Batch`]; none when nothing is queued.
fn queue_statements(queued: Vec<Queued<'_>>, now: Timestamp) -> Vec<Statement> {
    if !queued.is_empty() {
        crate::writer::note_deliveries_queued();
    }
    let mut statements = Vec::new();
    let mut queued = queued.into_iter().peekable();
    while queued.peek().is_some() {
        let chunk: Vec<Queued<'_>> = queued.by_ref().take(DELIVERIES_PER_INSERT).collect();
        let rows: Vec<String> = (0..chunk.len())
            .map(|row| {
                // `$1` is the time; each delivery binds the rest after it.
                let values = crate::placeholders(2 + row * DELIVERY_BINDS, DELIVERY_BINDS);
                format!("({values}, 'PENDING', $1, $1, $1)")
            })
            .collect();
        let sql = format!(
            "INSERT INTO deliveries (event_uuid, user_id, user_requested_id, category, \
                                     event_type, object_id, target, body, order_key, status, \
                                     next_attempt_at, created, updated) \
             VALUES {}",
            rows.join(", ")
        );
        let mut insert = Statement::new(sql).bind(now.micros());
        for q in chunk {
            let order_key = format!("{}:{}:{}", q.event.order, q.event.object_id, q.target);
            insert = insert
                .bind(q.event.uuid.clone())
                .bind(q.event.user)
                .bind(q.requested_by)
                .bind(q.event.category)
                .bind(q.event.event_type)
                .bind(q.event.object_id)
                .bind(q.target)
                .bind(q.body)
                .bind(order_key);
        }
        statements.push(insert);
    }
    statements
}

/// Queues an event about a provisioned user's object (onboarding, inquiry) for every target
/// of the user's filters in `category` (spec F.2; E.1: filters set through the user's
/// `UserApiKey` id are the user's). Runs inside the transaction of the change.
pub(crate) async fn emit_user_event(
    conn: &mut AnyConnection,
    user: i64,
    category: &str,
    event_type: &str,
    object_id: i64,
    object: &provisio_wire::Item,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let event = UserEvent::new(category, event_type, object_id, object);
    emit_user_events(conn, user, &[event], now).await
}

/// An event about one of a user's objects, for [`emit_user_events`].
pub(crate) struct UserEvent<'a> {
    category: &'a str,
    event_type: &'a str,
    object_id: i64,
    object: &'a provisio_wire::Item,
    /// The monetary account the event is about: its own filters hear it too.
    account: Option<i64>,
}

impl<'a> UserEvent<'a> {
    pub(crate) fn new(
        category: &'a str,
        event_type: &'a str,
        object_id: i64,
        object: &'a provisio_wire::Item,
    ) -> Self {
        UserEvent {
            category,
            event_type,
            object_id,
            object,
            account: None,
        }
    }

    /// The event is about monetary account `account`, whose filters receive it as well as
    /// the user's.
    pub(crate) fn on_account(self, account: i64) -> Self {
        UserEvent {
            account: Some(account),
            ..self
        }
    }
}

/// [`emit_user_event`] for several events of one user (a card payment is a PAYMENT, a
/// MUTATION and a card transaction), reading the user's filters once: inside a write each
/// statement is a round trip. Queued in the order given. An event about an account goes to
/// the user's filters and the account's (`…/monetary-account/{id}/notification-filter-url`),
/// once per target when both name the same one.
pub(crate) async fn emit_user_events(
    conn: &mut AnyConnection,
    user: i64,
    events: &[UserEvent<'_>],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    emit_users_events(conn, &[(user, events)], now).await
}

/// [`emit_user_events`] for several users at once (both sides of a payment), with one query
/// for all their filters and one INSERT for all their deliveries.
pub(crate) async fn emit_users_events(
    conn: &mut AnyConnection,
    users: &[(i64, &[UserEvent<'_>])],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let owners: Vec<i64> = users.iter().map(|(user, _)| *user).collect();
    let mut read = Batch::new();
    read.push(filters_statement(&owners));
    let filters = Filters::from_rows(read.run(conn).await?.rows(0))?;
    let mut queue = Batch::new();
    for insert in filters.deliveries(users, now) {
        queue.push(insert);
    }
    queue.run(conn).await.map(drop)
}

/// The query that reads the filters of `users` (at least one), for [`Filters::from_rows`]:
/// a write that knows whose events it will emit reads them in the same [`Batch`] as its
/// change, and queues the deliveries ([`Filters::deliveries`]) once it has the objects.
pub(crate) fn filters_statement(users: &[i64]) -> Statement {
    let sql = format!(
        "SELECT user_id, category, target, requested_by, monetary_account_id \
         FROM notification_filters WHERE user_id IN ({}) ORDER BY id",
        crate::placeholders(1, users.len())
    );
    users
        .iter()
        .fold(Statement::new(sql), |select, user| select.bind(*user))
}

/// Users' notification filters, as [`filters_statement`] read them.
pub(crate) struct Filters(Vec<Filter>);

struct Filter {
    user: i64,
    category: String,
    target: String,
    requested_by: Option<i64>,
    account: Option<i64>,
}

impl Filters {
    pub(crate) fn from_rows(rows: &[AnyRow]) -> Result<Filters, sqlx::Error> {
        rows.iter()
            .map(|row| {
                Ok(Filter {
                    user: row.try_get("user_id")?,
                    category: row.try_get("category")?,
                    target: row.try_get("target")?,
                    requested_by: row.try_get("requested_by")?,
                    account: row.try_get("monetary_account_id")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map(Filters)
    }

    /// The INSERTs that queue `users`' events for their filters' targets (none when no
    /// filter hears them).
    pub(crate) fn deliveries(
        &self,
        users: &[(i64, &[UserEvent<'_>])],
        now: Timestamp,
    ) -> Vec<Statement> {
        if self.0.is_empty() {
            return Vec::new();
        }
        let mut made = Vec::new();
        for (user, events) in users {
            for e in events.iter() {
                let event = Event {
                    uuid: provisio_core::ids::fresh_uuid().to_string(),
                    user: *user,
                    category: e.category,
                    event_type: e.event_type,
                    object_id: e.object_id,
                    order: e.category,
                };
                made.push((event, e));
            }
        }
        let mut queued = Vec::new();
        for (event, e) in &made {
            let mut sent: Vec<&str> = Vec::new();
            for filter in self.0.iter().filter(|f| {
                f.user == event.user
                    && f.category == e.category
                    && (f.account.is_none() || f.account == e.account)
            }) {
                if sent.contains(&filter.target.as_str()) {
                    continue;
                }
                sent.push(&filter.target);
                queued.push(Queued {
                    event,
                    requested_by: filter.requested_by,
                    target: filter.target.clone(),
                    body: provisio_wire::kyc::event(
                        e.category,
                        e.event_type,
                        e.object.clone(),
                        &filter.target,
                    ),
                });
            }
        }
        queue_statements(queued, now)
    }
}
