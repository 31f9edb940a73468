//! The records of what was sent: deliveries with their attempts, newest first, and the
//! attempts since a given one.

use std::time::Duration;

use provisio_core::{
    store::StoreResult,
    time::Timestamp,
    webhook::{AttemptRecord, DeliveryRecord},
};

use crate::{db_err, SqlStore};

/// The newest deliveries (to `target` only, when given), each with its attempts.
pub(super) async fn deliveries(
    store: &SqlStore,
    target: Option<&str>,
    limit: u32,
) -> StoreResult<Vec<DeliveryRecord>> {
    let columns = "id, event_uuid, category, event_type, object_id, target, status, created, body";
    // An empty target means every target.
    let rows: Vec<RecordRow> = sqlx::query_as(&format!(
        "SELECT {columns} FROM deliveries WHERE ($1 = '' OR target = $1) ORDER BY id DESC LIMIT $2"
    ))
    .bind(target.unwrap_or_default())
    .bind(i64::from(limit))
    .fetch_all(&store.read)
    .await
    .map_err(db_err)?;
    let mut records = Vec::with_capacity(rows.len());
    for r in rows {
        let attempts: Vec<AttemptRow> = sqlx::query_as(&format!(
            "{ATTEMPT_SELECT} WHERE a.delivery_id = $1 ORDER BY a.id"
        ))
        .bind(r.id)
        .fetch_all(&store.read)
        .await
        .map_err(db_err)?;
        records.push(DeliveryRecord {
            id: r.id,
            event_uuid: r.event_uuid,
            category: r.category,
            event_type: r.event_type,
            object_id: r.object_id,
            target: r.target,
            status: r.status,
            created: Timestamp(r.created),
            body: r.body,
            attempts: attempts.into_iter().map(AttemptRecord::from).collect(),
        });
    }
    Ok(records)
}

/// Attempts after attempt `after`, oldest first.
pub(super) async fn attempts_since(
    store: &SqlStore,
    after: i64,
    limit: u32,
) -> StoreResult<Vec<AttemptRecord>> {
    let rows: Vec<AttemptRow> = sqlx::query_as(&format!(
        "{ATTEMPT_SELECT} WHERE a.id > $1 ORDER BY a.id LIMIT $2"
    ))
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(&store.read)
    .await
    .map_err(db_err)?;
    Ok(rows.into_iter().map(AttemptRecord::from).collect())
}

/// The newest attempt's id (0 for none).
pub(super) async fn latest_attempt_id(store: &SqlStore) -> StoreResult<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM delivery_attempts")
        .fetch_one(&store.read)
        .await
        .map_err(db_err)?;
    Ok(id.unwrap_or(0))
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: i64,
    delivery_id: i64,
    at: i64,
    response_code: Option<i64>,
    error: Option<String>,
    latency_us: i64,
    target: String,
    event_type: String,
    object_id: i64,
}

const ATTEMPT_SELECT: &str = "SELECT a.id, a.delivery_id, a.at, a.response_code, a.error, a.latency_us, \
    d.target, d.event_type, d.object_id FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id";

impl From<AttemptRow> for AttemptRecord {
    fn from(r: AttemptRow) -> Self {
        AttemptRecord {
            id: r.id,
            delivery_id: r.delivery_id,
            at: Timestamp(r.at),
            response_code: r.response_code.and_then(|c| u16::try_from(c).ok()),
            error: r.error,
            latency: Duration::from_micros(u64::try_from(r.latency_us).unwrap_or(0)),
            target: r.target,
            event_type: r.event_type,
            object_id: r.object_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    event_uuid: String,
    category: String,
    event_type: String,
    object_id: i64,
    target: String,
    status: String,
    created: i64,
    body: String,
}
