//! Cards (the `CardStore`). A card pays from one of its owner's ACTIVE accounts; its PAN is a
//! random test-range number, sealed at rest and unique by its keyed hash (`pan_digest`; a
//! collision runs the write again with another). Changes lock the card row and let the domain rule decide on the card as it is.
//! Every change queues the owner's `CARD` webhook (`CARD_UPDATED`) in its transaction.
//!
//! The card timers are run here too (`run_due`): a timer moves a card's order on, expires a
//! CVC2 or a challenge, so their runner sits above `secrets` and `challenges`.

use async_trait::async_trait;
use provisio_core::{
    card::{
        date_after_years, date_of, rules, secrets, Card, CardUpdate, NewCard, OrderStatus,
        CARD_VALID_YEARS, DEFAULT_CARD_LIMIT_ATM_MINOR, DEFAULT_CARD_LIMIT_MINOR, ORDER_STEP,
    },
    model::{CardId, MonetaryAccountId, Page, PageQuery, UserId},
    store::{CardStore, StoreResult},
    time::Timestamp,
    StoreError,
};
use sqlx::AnyConnection;

use super::{
    card_rows::{emit_card_updated, lock_card, refused, CardRow, CARD_COLUMNS},
    sealing::StoredPan,
    timers::{self, TimerKind},
};
use crate::{
    batch::Statement,
    db_err, frozen,
    page::{fetch_page, Arg},
    rows::corrupt,
    Backend, SqlStore,
};

/// How often an order is tried with a new PAN before the collision is reported.
const PAN_ATTEMPTS: usize = 5;

/// The user's account `id` for a card (`field` names it in refusals): it must exist, be the
/// user's, and be ACTIVE. Answers its currency.
async fn usable_account(
    conn: &mut AnyConnection,
    user: UserId,
    id: MonetaryAccountId,
    field: &str,
) -> Result<String, sqlx::Error> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT status, currency FROM monetary_accounts WHERE id = $1 AND user_id = $2",
    )
    .bind(id.0)
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    match found {
        None => Err(refused(format!(
            "{field} {id} is not one of this user's monetary accounts."
        ))),
        Some((status, _)) if status != "ACTIVE" => Err(refused(format!(
            "{field} {id} is {status}; a card can only use an ACTIVE monetary account."
        ))),
        Some((_, currency)) => Ok(currency),
    }
}

/// The user's oldest ACTIVE account.
async fn first_active_account(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<MonetaryAccountId, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM monetary_accounts WHERE user_id = $1 AND status = 'ACTIVE' \
         ORDER BY id LIMIT 1",
    )
    .bind(user.0)
    .fetch_optional(&mut *conn)
    .await?;
    id.map(MonetaryAccountId).ok_or_else(|| {
        refused("This user has no ACTIVE monetary account for a card to pay from; open one first.")
    })
}

async fn insert_card(
    conn: &mut AnyConnection,
    user: UserId,
    card: &NewCard,
    owner_name: &str,
    pan: &StoredPan,
    now: Timestamp,
) -> Result<Card, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    let account = match card.monetary_account_id {
        Some(id) => id,
        None => first_active_account(conn, user).await?,
    };
    let currency = usable_account(conn, user, account, "monetary_account_id").await?;
    if let Some(fallback) = card.monetary_account_id_fallback {
        usable_account(conn, user, fallback, "monetary_account_id_fallback").await?;
    }
    let physical = card.order_status != OrderStatus::VirtualDelivery;
    let delivery = physical.then(|| date_of(now, ORDER_STEP * 3));
    let row: CardRow = sqlx::query_as(&format!(
        "INSERT INTO cards (user_id, kind, public_uuid, product_type, product_sub_type, \
             first_line, second_line, name_on_card, preferred_name_on_card, status, order_status, \
             country, monetary_account_id, monetary_account_id_fallback, currency, \
             card_limit_minor, card_limit_atm_minor, pin_hash, pan, pan_digest, pan_last_four, \
             expiry_date, expected_delivery_date, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ACTIVE', $10, $11, $12, $13, $14, $15, \
             $16, $17, $18, $19, $20, $21, $22, $23, $23) \
         RETURNING {CARD_COLUMNS}"
    ))
    .bind(user.0)
    .bind(card.kind.as_str())
    .bind(provisio_core::ids::fresh_uuid().to_string())
    .bind(card.product_type.clone())
    .bind(card.product_sub_type.clone())
    .bind(card.first_line.clone())
    .bind(card.second_line.clone())
    .bind(
        card.name_on_card
            .clone()
            .unwrap_or_else(|| owner_name.to_owned()),
    )
    .bind(card.preferred_name_on_card.clone())
    .bind(card.order_status.as_str())
    .bind(card.country.clone())
    .bind(account.0)
    .bind(card.monetary_account_id_fallback.map(|a| a.0))
    .bind(currency)
    .bind(DEFAULT_CARD_LIMIT_MINOR)
    .bind(DEFAULT_CARD_LIMIT_ATM_MINOR)
    .bind(card.pin_hash.clone())
    .bind(pan.sealed.clone())
    .bind(pan.digest.clone())
    .bind(pan.last_four.clone())
    .bind(date_after_years(now, CARD_VALID_YEARS))
    .bind(delivery)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let created = Card::try_from(row).map_err(corrupt)?;
    if physical {
        timers::schedule(
            conn,
            TimerKind::OrderStep,
            created.id.0,
            created.order_status.as_str(),
            now.plus(ORDER_STEP),
            now,
        )
        .await?;
    }
    emit_card_updated(conn, &created, now).await?;
    Ok(created)
}

async fn update_in(
    conn: &mut AnyConnection,
    user: UserId,
    id: CardId,
    change: &CardUpdate,
    now: Timestamp,
) -> Result<Option<Card>, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    let Some(current) = lock_card(conn, id.0, Some(user)).await? else {
        return Ok(None);
    };
    let next = rules::apply(&current, change).map_err(|e| refused(e.to_string()))?;
    if let Some(fallback) = change.monetary_account_id_fallback {
        usable_account(conn, user, fallback, "monetary_account_id_fallback").await?;
    }
    let row: CardRow = sqlx::query_as(&format!(
        "UPDATE cards SET status = $2, cancellation_reason = $3, card_limit_minor = $4, \
             card_limit_atm_minor = $5, monetary_account_id_fallback = $6, \
             pin_hash = COALESCE($7, pin_hash), updated = $8 \
         WHERE id = $1 RETURNING {CARD_COLUMNS}"
    ))
    .bind(id.0)
    .bind(next.status.as_str())
    .bind(next.cancellation_reason.map(|r| r.as_str()))
    .bind(next.card_limit_minor)
    .bind(next.card_limit_atm_minor)
    .bind(next.monetary_account_id_fallback.map(|a| a.0))
    .bind(change.pin_hash.clone())
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let stored = Card::try_from(row).map_err(corrupt)?;
    emit_card_updated(conn, &stored, now).await?;
    Ok(Some(stored))
}

#[async_trait]
impl CardStore for SqlStore {
    async fn create_card(
        &self,
        user: UserId,
        card: &NewCard,
        owner_name: &str,
        now: Timestamp,
    ) -> StoreResult<Card> {
        let key = self.sealing_key()?;
        for attempt in 1..=PAN_ATTEMPTS {
            let (card, owner_name) = (card.clone(), owner_name.to_owned());
            let pan = StoredPan::seal(&key, &secrets::generate_pan())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let result = self
                .write(move |conn| {
                    Box::pin(
                        async move { insert_card(conn, user, &card, &owner_name, &pan, now).await },
                    )
                })
                .await;
            match result {
                Err(StoreError::UniqueViolation(_)) if attempt < PAN_ATTEMPTS => continue,
                other => return other,
            }
        }
        Err(StoreError::Corrupt("no unique PAN found".into()))
    }

    async fn card(&self, user: UserId, id: CardId) -> StoreResult<Option<Card>> {
        let row: Option<CardRow> = sqlx::query_as(&format!(
            "SELECT {CARD_COLUMNS} FROM cards WHERE id = $1 AND user_id = $2"
        ))
        .bind(id.0)
        .bind(user.0)
        .fetch_optional(&self.read)
        .await
        .map_err(db_err)?;
        row.map(Card::try_from).transpose()
    }

    async fn cards(&self, user: UserId, page: PageQuery) -> StoreResult<Page<Card>> {
        let rows: Page<CardRow> = fetch_page(
            &self.read,
            CARD_COLUMNS,
            "id",
            "cards WHERE user_id = $1",
            &[Arg::Int(user.0)],
            page,
        )
        .await?;
        rows.try_map(Card::try_from)
    }

    async fn update_card(
        &self,
        user: UserId,
        id: CardId,
        update: &CardUpdate,
        now: Timestamp,
    ) -> StoreResult<Option<Card>> {
        let update = update.clone();
        self.write(move |conn| {
            Box::pin(async move { update_in(conn, user, id, &update, now).await })
        })
        .await
    }

    async fn run_card_timers(&self, now: Timestamp, limit: u32) -> StoreResult<usize> {
        // A read first: the worker asks when its poll found a timer due (`worker_poll`), which
        // another loop may have taken since, and a write on SQLite queues behind every other.
        // A point read (`readers`), on the index.
        let due: Option<i64> = self
            .read_scalar(
                Statement::new("SELECT id FROM card_timers WHERE run_at <= $1 LIMIT 1")
                    .bind(now.micros()),
            )
            .await
            .map_err(db_err)?;
        if due.is_none() {
            return Ok(0);
        }
        let backend = self.backend;
        self.write(move |conn| Box::pin(async move { run_due(conn, backend, now, limit).await }))
            .await
    }

    async fn next_card_timer_at(&self) -> StoreResult<Option<Timestamp>> {
        // A point read (`readers`), on the index. The worker reads it with the clock
        // (`worker_poll`).
        let next: Option<Option<i64>> = self
            .read_scalar(Statement::new("SELECT MIN(run_at) FROM card_timers"))
            .await
            .map_err(db_err)?;
        Ok(next.flatten().map(Timestamp))
    }
}

/// Moves a physical card's order one step on, if it is still where the timer expected it;
/// schedules the next step. A closed user's card stays where it is.
async fn order_step(
    conn: &mut AnyConnection,
    card: i64,
    expect: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // The provision first, then the card: the order every other card write locks them in.
    let user: Option<i64> = sqlx::query_scalar("SELECT user_id FROM cards WHERE id = $1")
        .bind(card)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(user) = user else { return Ok(()) };
    if let Some(status) = frozen::provision_status(conn, user).await? {
        if status.freezes_user() {
            return Ok(());
        }
    }
    let Some(found) = lock_card(conn, card, None).await? else {
        return Ok(());
    };
    if found.order_status.as_str() != expect {
        return Ok(());
    }
    let Some(next) = found.order_status.next() else {
        return Ok(());
    };
    let row: CardRow = sqlx::query_as(&format!(
        "UPDATE cards SET order_status = $2, updated = $3 WHERE id = $1 RETURNING {CARD_COLUMNS}"
    ))
    .bind(card)
    .bind(next.as_str())
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let moved = Card::try_from(row).map_err(corrupt)?;
    if next.next().is_some() {
        timers::schedule(
            conn,
            TimerKind::OrderStep,
            card,
            next.as_str(),
            now.plus(ORDER_STEP),
            now,
        )
        .await?;
    }
    emit_card_updated(conn, &moved, now).await
}

/// Takes up to `limit` due timers and applies them, in due order.
async fn run_due(
    conn: &mut AnyConnection,
    backend: Backend,
    now: Timestamp,
    limit: u32,
) -> Result<usize, sqlx::Error> {
    let skip_locked = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let mut due: Vec<(i64, String, i64, String, i64)> = sqlx::query_as(&format!(
        "DELETE FROM card_timers WHERE id IN (SELECT id FROM card_timers WHERE run_at <= $1 \
             ORDER BY run_at, id LIMIT $2{skip_locked}) \
         RETURNING id, kind, subject_id, expect, run_at"
    ))
    .bind(now.micros())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    due.sort_by_key(|(id, _, _, _, run_at)| (*run_at, *id));
    for (_, kind, subject, expect, _) in &due {
        match kind.as_str() {
            "ORDER_STEP" => order_step(conn, *subject, expect, now).await?,
            "CVC2_EXPIRY" => super::secrets::expire_cvc2(conn, *subject, now).await?,
            "CHALLENGE_EXPIRY" => super::challenges::expire(conn, *subject, now).await?,
            other => tracing::error!(kind = other, "unknown card timer kind; dropped"),
        }
    }
    Ok(due.len())
}
