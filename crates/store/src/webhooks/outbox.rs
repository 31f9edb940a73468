//! The outbox: an event is queued as one delivery per target, inside the transaction of the
//! change it announces, so the event exists exactly when the change does. The delivery worker
//! takes them from there (`deliveries`).
//!
//! Generic: it knows events, targets and bodies, not what they are about. Events about a
//! provisioned user's objects render through `provisio_wire` here ([`emit_user_events`]); a
//! domain with its own rendering queues its [`Event`]s itself (the provision's, in
//! `provisioning::events`).

use provisio_core::time::Timestamp;
use sqlx::{AnyConnection, Row};

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

/// Queues `event` for `target` with the rendered `body`.
pub(crate) async fn queue(
    conn: &mut AnyConnection,
    event: &Event<'_>,
    requested_by: Option<i64>,
    target: &str,
    body: String,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO deliveries (event_uuid, user_id, user_requested_id, category, event_type, \
                                 object_id, target, body, order_key, status, next_attempt_at, \
                                 created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, $10, $10)",
    )
    .bind(event.uuid.as_str())
    .bind(event.user)
    .bind(requested_by)
    .bind(event.category)
    .bind(event.event_type)
    .bind(event.object_id)
    .bind(target)
    .bind(body)
    .bind(format!("{}:{}:{target}", event.order, event.object_id))
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
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
    let rows = sqlx::query(
        "SELECT category, target, requested_by, monetary_account_id FROM notification_filters \
         WHERE user_id = $1 ORDER BY id",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let mut filters = Vec::with_capacity(rows.len());
    for row in rows {
        let category: String = row.try_get("category")?;
        let target: String = row.try_get("target")?;
        let requested_by: Option<i64> = row.try_get("requested_by")?;
        let account: Option<i64> = row.try_get("monetary_account_id")?;
        filters.push((category, target, requested_by, account));
    }
    for e in events {
        let event = Event {
            uuid: uuid::Uuid::new_v4().to_string(),
            user,
            category: e.category,
            event_type: e.event_type,
            object_id: e.object_id,
            order: e.category,
        };
        let mut sent: Vec<&str> = Vec::new();
        for (_, target, requested_by, _) in filters.iter().filter(|(c, _, _, account)| {
            c == e.category && (account.is_none() || *account == e.account)
        }) {
            if sent.contains(&target.as_str()) {
                continue;
            }
            sent.push(target);
            let body =
                provisio_wire::kyc::event(e.category, e.event_type, e.object.clone(), target);
            queue(conn, &event, *requested_by, target, body, now).await?;
        }
    }
    Ok(())
}
