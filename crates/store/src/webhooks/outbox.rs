//! The outbox: an event is queued as one delivery per target, inside the transaction of the
//! change it announces, so the event exists exactly when the change does. The delivery worker
//! takes them from there (`deliveries`).

use provisio_core::time::Timestamp;
use sqlx::{AnyConnection, Row};

/// Queues `PARTNER_USER_PROVISION_PROCESS_UPDATED` for every target the provision's partner
/// set, with the provision as a GET would return it now. Runs inside the transaction of the
/// change, so the event exists exactly when the change does.
pub(crate) async fn emit_provision_updated(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    use provisio_core::{provision::record::Provision, webhook};

    // One query in the common case of a partner without provision filters.
    let rows = sqlx::query(
        "SELECT nf.target, p.partner_id FROM notification_filters nf \
         JOIN provisions p ON nf.user_id = p.partner_id \
         WHERE p.id = $1 AND nf.category = $2 ORDER BY nf.id",
    )
    .bind(id)
    .bind(webhook::PARTNER_USER_PROVISION)
    .fetch_all(&mut *conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let partner_id: i64 = first.try_get("partner_id")?;
    let targets = rows
        .iter()
        .map(|r| r.try_get::<String, _>("target"))
        .collect::<Result<Vec<_>, _>>()?;
    let provision: Provision = crate::provisioning::provisions::read(conn, id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?
        .try_into()
        .map_err(crate::rows::corrupt)?;
    let event = Event {
        uuid: uuid::Uuid::new_v4().to_string(),
        user: partner_id,
        category: webhook::PARTNER_USER_PROVISION,
        event_type: webhook::PROVISION_UPDATED,
        object_id: id,
        order: "provision",
    };
    for target in targets {
        let body = provisio_wire::render::provision_event(&provision, &target);
        queue(conn, &event, None, &target, body, now).await?;
    }
    Ok(())
}

/// One event, queued once per target.
struct Event<'a> {
    uuid: String,
    /// Whose event it is (`deliveries.user_id`).
    user: i64,
    category: &'a str,
    event_type: &'a str,
    object_id: i64,
    /// Deliveries of one object to one target go out in order: the key's prefix.
    order: &'a str,
}

async fn queue(
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
        }
    }
}

/// [`emit_user_event`] for several events of one user (a card payment is a PAYMENT, a
/// MUTATION and a card transaction), reading the user's filters once: inside a write each
/// statement is a round trip. Queued in the order given.
pub(crate) async fn emit_user_events(
    conn: &mut AnyConnection,
    user: i64,
    events: &[UserEvent<'_>],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT category, target, requested_by FROM notification_filters \
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
        filters.push((category, target, requested_by));
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
        for (_, target, requested_by) in filters.iter().filter(|(c, _, _)| c == e.category) {
            let body =
                provisio_wire::kyc::event(e.category, e.event_type, e.object.clone(), target);
            queue(conn, &event, *requested_by, target, body, now).await?;
        }
    }
    Ok(())
}
