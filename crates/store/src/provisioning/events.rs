//! The provision's webhook (`PARTNER_USER_PROVISION_PROCESS_UPDATED`): rendered here, from
//! the provision as stored, and queued in the generic outbox.

use provisio_core::time::Timestamp;
use sqlx::{AnyConnection, Row};

use super::rows::read;
use crate::webhooks::outbox::{queue_all, Event, Queued};

/// Queues `PARTNER_USER_PROVISION_PROCESS_UPDATED` for every target the provision's partner
/// set, with the provision as a GET would return it now. Runs inside the transaction of the
/// change, so the event exists exactly when the change does.
pub(super) async fn emit_provision_updated(
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
    let provision: Provision = read(conn, id)
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
    let queued = targets
        .into_iter()
        .map(|target| Queued {
            event: &event,
            requested_by: None,
            body: provisio_wire::render::provision_event(&provision, &target),
            target,
        })
        .collect();
    queue_all(conn, queued, now).await
}
