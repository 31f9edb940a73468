//! A card's secrets: its PAN (read from the card row) and its CVC2s, both sealed at rest
//! (`sealing`). A GENERATED CVC2
//! expires by a card timer on the virtual clock; a STATIC one does not. Only the card's owner
//! reaches either, and a card that is LOST, STOLEN, CANCELLED or EXPIRED gets no new CVC2.

use std::sync::Arc;

use async_trait::async_trait;
use provisio_core::{
    card::{secrets, Card, Cvc2, Cvc2Status, Cvc2Type, CVC2_VALIDITY},
    model::{CardId, Cvc2Id, Page, PageQuery, UserId},
    sealing::SealingKey,
    store::{CardSecretStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    card_rows::{lock_card, refused},
    sealing::{self, unreadable},
    timers::{self, TimerKind},
};
use crate::{
    db_err, frozen,
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    SqlStore,
};

const CVC2_COLUMNS: &str = "id, card_id, type, cvc2, status, expiry_time, created, updated";

#[derive(sqlx::FromRow)]
struct Cvc2Row {
    id: i64,
    card_id: i64,
    #[sqlx(rename = "type")]
    kind: String,
    cvc2: String,
    status: String,
    expiry_time: Option<i64>,
    created: i64,
    updated: i64,
}

impl Cvc2Row {
    /// The CVC2, opened with `key`.
    fn open(self, key: &SealingKey) -> Result<Cvc2, StoreError> {
        Ok(Cvc2 {
            id: Cvc2Id(self.id),
            card_id: CardId(self.card_id),
            kind: parse(Cvc2Type::parse, &self.kind)?,
            cvc2: key
                .open(sealing::CVC2, &self.cvc2)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            status: parse(Cvc2Status::parse, &self.status)?,
            expiry_time: self.expiry_time.map(Timestamp),
            created: Timestamp(self.created),
            updated: Timestamp(self.updated),
        })
    }
}

/// The user's card, if it may still get a CVC2 (not LOST, STOLEN, CANCELLED or EXPIRED).
async fn card_for_cvc2(
    conn: &mut AnyConnection,
    user: UserId,
    card: CardId,
) -> Result<Option<Card>, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    let Some(found) = lock_card(conn, card.0, Some(user)).await? else {
        return Ok(None);
    };
    if found.status.is_final() {
        return Err(refused(format!(
            "This card is {}; it gets no CVC2 any more.",
            found.status
        )));
    }
    Ok(Some(found))
}

/// The expiry of a CVC2 of `kind` made at `now`, with its timer scheduled.
async fn expiry(
    conn: &mut AnyConnection,
    id: i64,
    kind: Cvc2Type,
    now: Timestamp,
) -> Result<Option<Timestamp>, sqlx::Error> {
    if kind == Cvc2Type::Static {
        return Ok(None);
    }
    let at = now.plus(CVC2_VALIDITY);
    timers::schedule(conn, TimerKind::Cvc2Expiry, id, "AVAILABLE", at, now).await?;
    Ok(Some(at))
}

#[async_trait]
impl CardSecretStore for SqlStore {
    async fn seal_card_secrets(
        &self,
        key: Arc<SealingKey>,
        previous: Option<Arc<SealingKey>>,
    ) -> StoreResult<u64> {
        self.take_sealing_key(key.clone())?;
        self.write(move |conn| {
            Box::pin(async move { sealing::seal_rows(conn, &key, previous.as_deref()).await })
        })
        .await
    }

    async fn card_pan(&self, user: UserId, id: CardId) -> StoreResult<Option<String>> {
        let key = self.sealing_key()?;
        let stored: Option<String> =
            sqlx::query_scalar("SELECT pan FROM cards WHERE id = $1 AND user_id = $2")
                .bind(id.0)
                .bind(user.0)
                .fetch_optional(&self.read)
                .await
                .map_err(db_err)?;
        stored
            .map(|pan| key.open(sealing::PAN, &pan))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    async fn create_cvc2(
        &self,
        user: UserId,
        card: CardId,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>> {
        let key = self.sealing_key()?;
        self.write(move |conn| {
            Box::pin(async move {
                if card_for_cvc2(conn, user, card).await?.is_none() {
                    return Ok(None);
                }
                let made = secrets::generate_cvc2();
                let row: Cvc2Row = sqlx::query_as(&format!(
                    "INSERT INTO card_cvc2s (card_id, type, cvc2, status, created, updated) \
                     VALUES ($1, $2, $3, 'AVAILABLE', $4, $4) RETURNING {CVC2_COLUMNS}"
                ))
                .bind(card.0)
                .bind(kind.as_str())
                .bind(key.seal(sealing::CVC2, &made).map_err(unreadable)?)
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await?;
                let at = expiry(conn, row.id, kind, now).await?;
                let row: Cvc2Row = sqlx::query_as(&format!(
                    "UPDATE card_cvc2s SET expiry_time = $2 WHERE id = $1 RETURNING {CVC2_COLUMNS}"
                ))
                .bind(row.id)
                .bind(at.map(Timestamp::micros))
                .fetch_one(&mut *conn)
                .await?;
                row.open(&key).map(Some).map_err(corrupt)
            })
        })
        .await
    }

    async fn cvc2(&self, user: UserId, card: CardId, id: Cvc2Id) -> StoreResult<Option<Cvc2>> {
        let row: Option<Cvc2Row> = sqlx::query_as(&format!(
            "SELECT {CVC2_COLUMNS} FROM card_cvc2s WHERE id = $1 AND card_id = $2 \
             AND card_id IN (SELECT id FROM cards WHERE user_id = $3)"
        ))
        .bind(id.0)
        .bind(card.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        let key = self.sealing_key()?;
        row.map(|r| r.open(&key)).transpose()
    }

    async fn cvc2s(&self, user: UserId, card: CardId, page: PageQuery) -> StoreResult<Page<Cvc2>> {
        let rows: Page<Cvc2Row> = fetch_page(
            &self.read,
            CVC2_COLUMNS,
            "id",
            "card_cvc2s WHERE card_id = $1 AND card_id IN (SELECT id FROM cards WHERE user_id = $2)",
            &[Arg::Int(card.0), Arg::Int(user.0)],
            page,
        )
        .await?;
        let key = self.sealing_key()?;
        rows.try_map(|r| r.open(&key))
    }

    async fn update_cvc2(
        &self,
        user: UserId,
        card: CardId,
        id: Cvc2Id,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>> {
        let key = self.sealing_key()?;
        self.write(move |conn| {
            Box::pin(async move {
                if card_for_cvc2(conn, user, card).await?.is_none() {
                    return Ok(None);
                }
                let status: Option<String> = sqlx::query_scalar(
                    "SELECT status FROM card_cvc2s WHERE id = $1 AND card_id = $2",
                )
                .bind(id.0)
                .bind(card.0)
                .fetch_optional(&mut *conn)
                .await?;
                match status.as_deref() {
                    None => return Ok(None),
                    Some("AVAILABLE") => {}
                    Some(other) => {
                        return Err(refused(format!(
                            "This CVC2 is {other}; only an AVAILABLE one can be changed."
                        )))
                    }
                }
                let at = expiry(conn, id.0, kind, now).await?;
                let row: Cvc2Row = sqlx::query_as(&format!(
                    "UPDATE card_cvc2s SET type = $2, expiry_time = $3, updated = $4 \
                     WHERE id = $1 RETURNING {CVC2_COLUMNS}"
                ))
                .bind(id.0)
                .bind(kind.as_str())
                .bind(at.map(Timestamp::micros))
                .bind(now.micros())
                .fetch_one(&mut *conn)
                .await?;
                row.open(&key).map(Some).map_err(corrupt)
            })
        })
        .await
    }
}

/// Expires an AVAILABLE CVC2 whose time has come.
pub(super) async fn expire_cvc2(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE card_cvc2s SET status = 'EXPIRED', updated = $2 \
         WHERE id = $1 AND status = 'AVAILABLE' AND expiry_time IS NOT NULL AND expiry_time <= $2",
    )
    .bind(id)
    .bind(now.micros())
    .execute(&mut *conn)
    .await
    .map(drop)
}
