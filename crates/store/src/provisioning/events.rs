//! The provision's webhook (`PARTNER_USER_PROVISION_PROCESS_UPDATED`): rendered here, from
//! the provision as stored, and queued in the generic outbox.

use provisio_core::{provision::record::Provision, time::Timestamp, webhook};
use sqlx::{AnyConnection, FromRow, Row};

use super::rows::{ProvisionRow, PROVISION_FROM, PROVISION_SELECT};
use crate::{
    batch::{Answers, Batch, Statement},
    webhooks::outbox::{queue_all, Event, Queued},
};

/// Queues `PARTNER_USER_PROVISION_PROCESS_UPDATED` for every target the provision's partner
/// set, with the provision as a GET would return it now, inside the transaction of the change
/// (so the event exists exactly when the change does). In two halves: the event's reads go in
/// the [`Batch`] of the change, after its statements (so they read what it wrote), and the
/// deliveries are queued once they are answered.
pub(super) struct ProvisionEvent {
    id: i64,
    /// The answers of the partner's targets and of the provision in the batch.
    targets: usize,
    provision: usize,
}

impl ProvisionEvent {
    /// Adds the event's two reads to `batch`, last: the targets of the partner's provision
    /// filters, and the provision itself only when there is one (most partners in a test
    /// have none).
    pub(super) fn read_in(batch: &mut Batch, id: i64) -> ProvisionEvent {
        let targets = batch.push(targets_statement(id));
        let provision = batch.push(
            Statement::new(format!(
                "SELECT {PROVISION_SELECT} FROM {PROVISION_FROM} WHERE p.id = $1 \
                 AND EXISTS (SELECT 1 FROM notification_filters nf \
                             WHERE nf.user_id = p.partner_id AND nf.category = $2)"
            ))
            .bind(id)
            .bind(webhook::PARTNER_USER_PROVISION),
        );
        ProvisionEvent {
            id,
            targets,
            provision,
        }
    }

    /// [`ProvisionEvent::read_in`] for a write that reads the provision in `batch` itself,
    /// at position `provision` (after its change): only the targets are added, last.
    pub(super) fn read_with(batch: &mut Batch, id: i64, provision: usize) -> ProvisionEvent {
        let targets = batch.push(targets_statement(id));
        ProvisionEvent {
            id,
            targets,
            provision,
        }
    }

    /// Queues the event for the targets read (nothing without any).
    pub(super) async fn queue(
        self,
        conn: &mut AnyConnection,
        answers: &Answers,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let rows = answers.rows(self.targets);
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let partner_id: i64 = first.try_get("partner_id")?;
        let targets = rows
            .iter()
            .map(|r| r.try_get::<String, _>("target"))
            .collect::<Result<Vec<_>, _>>()?;
        let row = answers
            .first(self.provision)
            .ok_or(sqlx::Error::RowNotFound)?;
        let provision: Provision = ProvisionRow::from_row(row)?
            .try_into()
            .map_err(crate::rows::corrupt)?;
        let event = Event {
            uuid: uuid::Uuid::new_v4().to_string(),
            user: partner_id,
            category: webhook::PARTNER_USER_PROVISION,
            event_type: webhook::PROVISION_UPDATED,
            object_id: self.id,
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
}

/// The targets of the provision's partner's provision filters, with the partner's id; without
/// any, the provision's read after it is not needed (see `Statement::or_stop`: on PostgreSQL
/// it is not sent).
fn targets_statement(id: i64) -> Statement {
    Statement::new(
        "SELECT nf.target, p.partner_id FROM notification_filters nf \
         JOIN provisions p ON nf.user_id = p.partner_id \
         WHERE p.id = $1 AND nf.category = $2 ORDER BY nf.id",
    )
    .bind(id)
    .bind(webhook::PARTNER_USER_PROVISION)
    .or_stop()
}
