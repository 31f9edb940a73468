//! The provision's webhook (`PARTNER_USER_PROVISION_PROCESS_UPDATED`): rendered here, from
//! the provision as stored, and queued in the generic outbox.

use std::collections::HashMap;

use provisio_core::{provision::record::Provision, time::Timestamp, webhook};
use sqlx::{any::AnyRow, AnyConnection, FromRow, Row};

use super::rows::{ProvisionRow, PROVISION_FROM, PROVISION_JOINS, PROVISION_SELECT};
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
    targets: Targets,
    /// The answer of the provision in the batch; none when there is no target to tell.
    provision: Option<usize>,
}

/// The partner's targets: to be read from the batch's answers, or already read (by a chained
/// statement on PostgreSQL, see [`targets_joined`]).
enum Targets {
    InBatch(usize),
    Read(PartnerTargets),
}

/// A provision's partner and the targets of its provision filters, in order.
pub(super) struct PartnerTargets {
    partner: i64,
    targets: Vec<String>,
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
            targets: Targets::InBatch(targets),
            provision: Some(provision),
        }
    }

    /// [`ProvisionEvent::read_in`] for a write that reads the provision in `batch` itself,
    /// at position `provision` (after its change): only the targets are added, last.
    pub(super) fn read_with(batch: &mut Batch, id: i64, provision: usize) -> ProvisionEvent {
        let targets = batch.push(targets_statement(id));
        ProvisionEvent {
            id,
            targets: Targets::InBatch(targets),
            provision: Some(provision),
        }
    }

    /// The event of a change whose statement answered the partner's targets already
    /// ([`targets_by_provision`]): the provision's read is added to `batch` only when there is
    /// a target.
    pub(super) fn after_targets(
        batch: &mut Batch,
        id: i64,
        targets: PartnerTargets,
    ) -> ProvisionEvent {
        let provision = (!targets.targets.is_empty()).then(|| {
            batch.push(
                Statement::new(format!(
                    "SELECT {PROVISION_SELECT} FROM {PROVISION_FROM} WHERE p.id = $1"
                ))
                .bind(id),
            )
        });
        ProvisionEvent {
            id,
            targets: Targets::Read(targets),
            provision,
        }
    }

    /// The event of a change whose statement answered the provision, joined to each of the
    /// partner's targets (a `target` column, NULL when there is none), at `at` in `answers`.
    pub(super) fn joined(
        answers: &Answers,
        id: i64,
        at: usize,
    ) -> Result<ProvisionEvent, sqlx::Error> {
        let targets = answers
            .rows(at)
            .iter()
            .try_fold(None, |read: Option<PartnerTargets>, row| {
                add_target(read, row)
            })?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(ProvisionEvent {
            id,
            targets: Targets::Read(targets),
            provision: Some(at),
        })
    }

    /// Queues the event for the targets read (nothing without any).
    pub(super) async fn queue(
        self,
        conn: &mut AnyConnection,
        answers: &Answers,
        now: Timestamp,
    ) -> Result<(), sqlx::Error> {
        let (partner_id, targets) = match self.targets {
            Targets::InBatch(at) => {
                let rows = answers.rows(at);
                let Some(first) = rows.first() else {
                    return Ok(());
                };
                let partner: i64 = first.try_get("partner_id")?;
                let targets = rows
                    .iter()
                    .map(|r| r.try_get::<String, _>("target"))
                    .collect::<Result<Vec<_>, _>>()?;
                (partner, targets)
            }
            Targets::Read(PartnerTargets { partner, targets }) => (partner, targets),
        };
        if targets.is_empty() {
            return Ok(());
        }
        let row = self
            .provision
            .and_then(|at| answers.first(at))
            .ok_or(sqlx::Error::RowNotFound)?;
        let provision: Provision = ProvisionRow::from_row(row)?
            .try_into()
            .map_err(crate::rows::corrupt)?;
        let event = Event {
            uuid: provisio_core::ids::fresh_uuid().to_string(),
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

/// `read` with the partner and target of `row` (a `partner_id` and a `target`, NULL when
/// the partner has none) added.
fn add_target(
    read: Option<PartnerTargets>,
    row: &AnyRow,
) -> Result<Option<PartnerTargets>, sqlx::Error> {
    let mut read = match read {
        Some(read) => read,
        None => PartnerTargets {
            partner: row.try_get("partner_id")?,
            targets: Vec::new(),
        },
    };
    if let Some(target) = row.try_get::<Option<String>, _>("target")? {
        read.targets.push(target);
    }
    Ok(Some(read))
}

/// The rows of [`targets_joined`], by provision: only the provisions it changed are there.
pub(super) fn targets_by_provision(
    rows: Vec<AnyRow>,
) -> Result<HashMap<i64, PartnerTargets>, sqlx::Error> {
    let mut by_provision: HashMap<i64, PartnerTargets> = HashMap::new();
    for row in &rows {
        let id: i64 = row.try_get("provision_id")?;
        let read = add_target(by_provision.remove(&id), row)?;
        if let Some(read) = read {
            by_provision.insert(id, read);
        }
    }
    Ok(by_provision)
}

/// The read of a chain (`chain`) whose part `created` returned a new provision's whole row:
/// the provision as a GET returns it, joined to each of its partner's targets (see
/// [`ProvisionEvent::joined`]).
pub(super) fn created_joined() -> Statement {
    Statement::new(format!(
        "SELECT {PROVISION_SELECT}, nf.target FROM created p {PROVISION_JOINS} \
         LEFT JOIN notification_filters nf ON nf.user_id = p.partner_id AND nf.category = $1 \
         ORDER BY nf.id"
    ))
    .bind(webhook::PARTNER_USER_PROVISION)
}

/// The targets' read for a chain (`chain`) whose part `head` answers the `id` and
/// `partner_id` of the provisions it changed: for each, a row for each target, or one with a
/// NULL target when there is none.
pub(super) fn targets_joined(head: &str) -> Statement {
    Statement::new(format!(
        "SELECT h.id AS provision_id, h.partner_id, nf.target FROM {head} h \
         LEFT JOIN notification_filters nf ON nf.user_id = h.partner_id AND nf.category = $1 \
         ORDER BY h.id, nf.id"
    ))
    .bind(webhook::PARTNER_USER_PROVISION)
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
