//! 3DS challenges. An authorisation flagged for an identity check waits here for the user:
//! accepting it runs the authorisation (approved or declined on its merits), rejecting it or
//! letting it expire records it declined. Each change queues the user's
//! `MASTERCARD_IDENTITY_CHECK` webhook with the challenge, in the change's transaction.

use async_trait::async_trait;
use provisio_core::{
    card::{
        action::{
            Authorization, Challenge, ChallengeStatus, Merchant, CHALLENGE_VALIDITY,
            MERCHANT_APP_URL,
        },
        Card,
    },
    idempotency::IdempotencyKey,
    model::{CardId, ChallengeId, MasterCardActionId, Page, PageQuery, UserId},
    store::{ChallengeStore, StoreResult},
    time::Timestamp,
    webhook, StoreError,
};
use provisio_wire::{cards::challenge as render, Item};
use sqlx::{AnyConnection, AnyPool};

use super::{
    authorization::authorize_card,
    card_rows::refused,
    timers::{self, TimerKind},
};
use crate::{
    db_err, frozen,
    idempotency::{kept_id, Kept},
    page::{fetch_page, Arg},
    rows::{corrupt, parse},
    writer::BoxFuture,
    SqlStore,
};

const CHALLENGE_COLUMNS: &str = "id, user_id, card_id, amount_minor, currency, merchant_name, \
     merchant_city, merchant_country, description, url_merchant_app, status, expiry_time, \
     mastercard_action_id, created, updated";

#[derive(sqlx::FromRow)]
struct ChallengeRow {
    id: i64,
    user_id: i64,
    card_id: i64,
    amount_minor: i64,
    currency: String,
    merchant_name: String,
    merchant_city: String,
    merchant_country: String,
    description: Option<String>,
    url_merchant_app: String,
    status: String,
    expiry_time: i64,
    mastercard_action_id: Option<i64>,
    created: i64,
    updated: i64,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = StoreError;

    fn try_from(r: ChallengeRow) -> Result<Self, StoreError> {
        Ok(Challenge {
            id: ChallengeId(r.id),
            user_id: UserId(r.user_id),
            card_id: CardId(r.card_id),
            amount_minor: r.amount_minor,
            currency: r.currency,
            merchant: Merchant {
                name: r.merchant_name,
                city: r.merchant_city,
                country: r.merchant_country,
                id: String::new(),
                category_code: String::new(),
            },
            description: r.description,
            url_merchant_app: r.url_merchant_app,
            status: parse(ChallengeStatus::parse, &r.status)?,
            expiry_time: Timestamp(r.expiry_time),
            mastercard_action_id: r.mastercard_action_id.map(MasterCardActionId),
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

async fn emit(
    conn: &mut AnyConnection,
    challenge: &Challenge,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    crate::webhooks::outbox::emit_user_event(
        conn,
        challenge.user_id.0,
        webhook::MASTERCARD_IDENTITY_CHECK,
        webhook::MASTERCARD_IDENTITY_CHECK,
        challenge.id.0,
        &Item::MasterCardIdentityCheckChallengeRequest(render(challenge)),
        now,
    )
    .await
}

/// A PENDING challenge for `auth` on `card`, with its expiry timer and webhook.
pub(super) async fn create(
    conn: &mut AnyConnection,
    card: &Card,
    auth: &Authorization,
    now: Timestamp,
) -> Result<Challenge, sqlx::Error> {
    let expiry = now.plus(CHALLENGE_VALIDITY);
    let row: ChallengeRow = sqlx::query_as(&format!(
        "INSERT INTO challenge_requests (user_id, card_id, amount_minor, currency, merchant_name, \
             merchant_city, merchant_country, description, url_merchant_app, status, \
             expiry_time, created, updated) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, $11, $11) \
         RETURNING {CHALLENGE_COLUMNS}"
    ))
    .bind(card.user_id.0)
    .bind(card.id.0)
    .bind(auth.amount_minor)
    .bind(card.currency.clone())
    .bind(auth.merchant.name.clone())
    .bind(auth.merchant.city.clone())
    .bind(auth.merchant.country.clone())
    .bind(format!("Purchase at {}", auth.merchant.name))
    .bind(MERCHANT_APP_URL)
    .bind(expiry.micros())
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let challenge = Challenge::try_from(row).map_err(corrupt)?;
    timers::schedule(
        conn,
        TimerKind::ChallengeExpiry,
        challenge.id.0,
        "PENDING",
        expiry,
        now,
    )
    .await?;
    emit(conn, &challenge, now).await?;
    Ok(challenge)
}

/// The authorisation a challenge holds back, declined for `reason` when given.
fn held_authorization(c: &Challenge, decline: Option<&str>) -> Authorization {
    Authorization {
        amount_minor: c.amount_minor,
        currency: Some(c.currency.clone()),
        merchant: Merchant {
            id: String::new(),
            category_code: "5999".into(),
            ..c.merchant.clone()
        },
        pan_entry_mode: "E_COMMERCE".into(),
        decline_reason: decline.map(str::to_owned),
        identity_check: false,
    }
}

/// Closes a PENDING challenge as `status`, running (or declining) its authorisation.
async fn close(
    conn: &mut AnyConnection,
    challenge: &Challenge,
    status: ChallengeStatus,
    now: Timestamp,
) -> Result<Challenge, sqlx::Error> {
    let (decline, additional) = match status {
        ChallengeStatus::Accepted => (None, "APPROVED_BY_USER"),
        ChallengeStatus::Rejected => (Some("IDENTITY_CHECK_REJECTED"), "REJECTED_BY_USER"),
        _ => (Some("IDENTITY_CHECK_EXPIRED"), "EXPIRED"),
    };
    let auth = held_authorization(challenge, decline);
    let action = authorize_card(conn, challenge.card_id, &auth, Some(additional), now)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let row: ChallengeRow = sqlx::query_as(&format!(
        "UPDATE challenge_requests SET status = $2, mastercard_action_id = $3, updated = $4 \
         WHERE id = $1 RETURNING {CHALLENGE_COLUMNS}"
    ))
    .bind(challenge.id.0)
    .bind(status.as_str())
    .bind(action.id.0)
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await?;
    let closed = Challenge::try_from(row).map_err(corrupt)?;
    emit(conn, &closed, now).await?;
    Ok(closed)
}

async fn lock(
    conn: &mut AnyConnection,
    id: i64,
    user: Option<UserId>,
) -> Result<Option<Challenge>, sqlx::Error> {
    let row: Option<ChallengeRow> = sqlx::query_as(&format!(
        "UPDATE challenge_requests SET updated = updated \
         WHERE id = $1 AND ($2 = 0 OR user_id = $2) RETURNING {CHALLENGE_COLUMNS}"
    ))
    .bind(id)
    .bind(user.map_or(0, |u| u.0))
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Challenge::try_from).transpose().map_err(corrupt)
}

/// The user's answer to a PENDING challenge.
async fn answer(
    conn: &mut AnyConnection,
    user: UserId,
    id: ChallengeId,
    answer: ChallengeStatus,
    now: Timestamp,
) -> Result<Option<Challenge>, sqlx::Error> {
    frozen::writable(conn, user.0).await?;
    let Some(found) = lock(conn, id.0, Some(user)).await? else {
        return Ok(None);
    };
    if found.status != ChallengeStatus::Pending {
        return Err(refused(format!(
            "This challenge is {}; only a PENDING one can be answered.",
            found.status
        )));
    }
    if found.expiry_time <= now {
        return Err(refused(
            "This challenge has expired; the purchase must be tried again.",
        ));
    }
    close(conn, &found, answer, now).await.map(Some)
}

/// The expiry timer, and a provision's end (`ending`): a challenge still PENDING expires, its
/// authorisation declined. A closed user's challenge expires too: no one can answer it any
/// more (a provision's end expires them at once; this timer still ends one left PENDING by
/// an end from before that rule).
pub(super) async fn expire(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    // The provision first, then the challenge: the order an answer locks them in.
    let user: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM challenge_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(user) = user else { return Ok(()) };
    frozen::provision_status(conn, user).await?;
    let Some(found) = lock(conn, id, None).await? else {
        return Ok(());
    };
    if found.status != ChallengeStatus::Pending {
        return Ok(());
    }
    close(conn, &found, ChallengeStatus::Expired, now)
        .await
        .map(drop)
}

/// A retried answer answers the challenge as it is now.
impl Kept for Challenge {
    fn answer(&self) -> String {
        self.id.0.to_string()
    }

    fn find<'c>(
        conn: &'c mut AnyConnection,
        answer: String,
    ) -> BoxFuture<'c, Result<Option<Self>, sqlx::Error>> {
        Box::pin(async move { challenge_by_id(conn, kept_id(&answer)?).await })
    }
}

/// Any user's challenge (an idempotent retry of the authorisation that made it).
pub(super) async fn challenge_by_id(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<Challenge>, sqlx::Error> {
    let row: Option<ChallengeRow> = sqlx::query_as(&format!(
        "SELECT {CHALLENGE_COLUMNS} FROM challenge_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Challenge::try_from).transpose().map_err(corrupt)
}

async fn one(pool: &AnyPool, user: UserId, id: ChallengeId) -> StoreResult<Option<Challenge>> {
    let row: Option<ChallengeRow> = sqlx::query_as(&format!(
        "SELECT {CHALLENGE_COLUMNS} FROM challenge_requests WHERE id = $1 AND user_id = $2"
    ))
    .bind(id.0)
    .bind(user.0)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(Challenge::try_from).transpose()
}

async fn list(
    pool: &AnyPool,
    user: UserId,
    statuses: &[ChallengeStatus],
    page: PageQuery,
) -> StoreResult<Page<Challenge>> {
    let mut args = vec![Arg::Int(user.0)];
    let mut table_where = "challenge_requests WHERE user_id = $1".to_owned();
    if !statuses.is_empty() {
        let placeholders: Vec<String> = statuses
            .iter()
            .map(|s| {
                args.push(Arg::Text(s.as_str().to_owned()));
                format!("${}", args.len())
            })
            .collect();
        table_where.push_str(&format!(" AND status IN ({})", placeholders.join(", ")));
    }
    let rows: Page<ChallengeRow> =
        fetch_page(pool, CHALLENGE_COLUMNS, "id", &table_where, &args, page).await?;
    rows.try_map(Challenge::try_from)
}

#[async_trait]
impl ChallengeStore for SqlStore {
    async fn challenge(&self, user: UserId, id: ChallengeId) -> StoreResult<Option<Challenge>> {
        one(&self.read, user, id).await
    }

    async fn challenges(
        &self,
        user: UserId,
        statuses: &[ChallengeStatus],
        page: PageQuery,
    ) -> StoreResult<Page<Challenge>> {
        list(&self.read, user, statuses, page).await
    }

    async fn answer_challenge(
        &self,
        user: UserId,
        id: ChallengeId,
        status: ChallengeStatus,
        now: Timestamp,
        once: Option<&IdempotencyKey>,
    ) -> StoreResult<Option<Challenge>> {
        self.write_once(once, now, move |conn| {
            Box::pin(async move { answer(conn, user, id, status, now).await })
        })
        .await
    }
}
