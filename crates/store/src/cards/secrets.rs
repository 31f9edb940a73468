//! A card's secrets: its PAN (read from the card row) and its CVC2s. A GENERATED CVC2
//! expires by a card timer on the virtual clock; a STATIC one does not. Only the card's owner
//! reaches either, and a card that is LOST, STOLEN, CANCELLED or EXPIRED gets no new CVC2.

use async_trait::async_trait;
use provisio_core::{
    card::{secrets, Card, Cvc2, Cvc2Status, Cvc2Type, CVC2_VALIDITY},
    model::{CardId, Cvc2Id, Page, PageQuery, UserId},
    store::{CardSecretStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    card_rows::{lock_card, refused},
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

impl TryFrom<Cvc2Row> for Cvc2 {
    type Error = StoreError;

    fn try_from(r: Cvc2Row) -> Result<Self, StoreError> {
        Ok(Cvc2 {
            id: Cvc2Id(r.id),
            card_id: CardId(r.card_id),
            kind: parse(Cvc2Type::parse, &r.kind)?,
            cvc2: r.cvc2,
            status: parse(Cvc2Status::parse, &r.status)?,
            expiry_time: r.expiry_time.map(Timestamp),
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
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
    async fn card_pan(&self, user: UserId, id: CardId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT pan FROM cards WHERE id = $1 AND user_id = $2")
            .bind(id.0)
            .bind(user.0)
            .fetch_optional(&self.read)
            .await
            .map_err(db_err)
    }

    async fn create_cvc2(
        &self,
        user: UserId,
        card: CardId,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>> {
        self.write(move |conn| {
            Box::pin(async move {
                if card_for_cvc2(conn, user, card).await?.is_none() {
                    return Ok(None);
                }
                let row: Cvc2Row = sqlx::query_as(&format!(
                    "INSERT INTO card_cvc2s (card_id, type, cvc2, status, created, updated) \
                     VALUES ($1, $2, $3, 'AVAILABLE', $4, $4) RETURNING {CVC2_COLUMNS}"
                ))
                .bind(card.0)
                .bind(kind.as_str())
                .bind(secrets::generate_cvc2())
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
                Cvc2::try_from(row).map(Some).map_err(corrupt)
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
        row.map(Cvc2::try_from).transpose()
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
        rows.try_map(Cvc2::try_from)
    }

    async fn update_cvc2(
        &self,
        user: UserId,
        card: CardId,
        id: Cvc2Id,
        kind: Cvc2Type,
        now: Timestamp,
    ) -> StoreResult<Option<Cvc2>> {
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
                Cvc2::try_from(row).map(Some).map_err(corrupt)
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
