//! Onboarding: the model, the fulfillments, and `settle`, which applies the onboarding rules
//! (`provisio_core::onboarding::assess`) inside the transaction of every change that can
//! affect them: a fulfillment, an identity verification, an inquiry. A change of
//! `action_required` is announced (`USER_ONBOARDING_UPDATED`, spec F.6), and a decision moves
//! the provision (`ACTIVE/NONE` or `FAILED/NONE`) in the same transaction.
//!
//! Inquiries and identity verification call `settle`; the `OnboardingStore` is in
//! `fulfillments`.

use provisio_core::{
    onboarding::{
        assess, Assessment, Fulfillment, FulfillmentType, IdentityState, InquiryFacts, Onboarding,
        OnboardingStatus,
    },
    provision::{plan, record::Provision, ActionRequired},
    time::Timestamp,
    StoreError,
};
use provisio_wire::{kyc, Item};
use sqlx::{AnyConnection, Row};

use crate::{
    batch::Statement,
    provisioning::steps,
    rows::{corrupt, parse},
};

const ONBOARDING_COLUMNS: &str =
    "id, user_id, kind, status, action_required, waiting_type, created, updated";
const USER_ONBOARDING: &str = "USER_ONBOARDING";
const USER_ONBOARDING_UPDATED: &str = "USER_ONBOARDING_UPDATED";

#[derive(sqlx::FromRow)]
struct OnboardingRow {
    id: i64,
    user_id: i64,
    kind: String,
    status: String,
    action_required: String,
    waiting_type: Option<String>,
    created: i64,
    updated: i64,
}

impl TryFrom<OnboardingRow> for Onboarding {
    type Error = StoreError;

    fn try_from(r: OnboardingRow) -> Result<Self, StoreError> {
        Ok(Onboarding {
            id: r.id,
            user_id: r.user_id,
            kind: r.kind,
            status: parse(OnboardingStatus::parse, &r.status)?,
            action_required: parse(ActionRequired::parse, &r.action_required)?,
            waiting_type: r.waiting_type,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

#[derive(sqlx::FromRow)]
struct FulfillmentRow {
    id: i64,
    kind: String,
    created: i64,
    updated: i64,
}

pub(super) async fn read_onboarding(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Option<Onboarding>, sqlx::Error> {
    let row: Option<OnboardingRow> = sqlx::query_as(&format!(
        "SELECT {ONBOARDING_COLUMNS} FROM onboardings WHERE user_id = $1"
    ))
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(Onboarding::try_from).transpose().map_err(corrupt)
}

/// Creates the user's onboarding unless it exists; returns whether it did.
pub(super) async fn create_onboarding(
    conn: &mut AnyConnection,
    user: i64,
    kind: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let created = sqlx::query(
        "INSERT INTO onboardings (user_id, kind, status, action_required, created, updated) \
         VALUES ($1, $2, 'CREATED', 'USER', $3, $3) ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user)
    .bind(kind.to_owned())
    .bind(now.micros())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(created == 1)
}

/// The user's onboarding, created when it does not exist yet.
pub(super) async fn ensure_onboarding(
    conn: &mut AnyConnection,
    user: i64,
    kind: &str,
    now: Timestamp,
) -> Result<Onboarding, sqlx::Error> {
    create_onboarding(conn, user, kind, now).await?;
    read_onboarding(conn, user)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// What the user provided, and the identity verification once approved.
pub(super) async fn load_fulfillments(
    conn: &mut AnyConnection,
    user: i64,
) -> Result<Vec<Fulfillment>, sqlx::Error> {
    let rows: Vec<FulfillmentRow> = sqlx::query_as(
        "SELECT id, kind, created, updated FROM fulfillments WHERE user_id = $1 \
         UNION ALL \
         SELECT id, 'IDENTITY_VERIFICATION' AS kind, created, updated FROM identity_verifications \
         WHERE id = (SELECT MAX(id) FROM identity_verifications WHERE user_id = $1) \
           AND result = 'APPROVED'",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Fulfillment {
                kind: parse(FulfillmentType::parse, &r.kind)?,
                id: r.id,
                created: Timestamp(r.created),
                updated: Timestamp(r.updated),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()
        .map_err(corrupt)
}

/// The newest identity verification decides.
async fn identity_state(conn: &mut AnyConnection, user: i64) -> Result<IdentityState, sqlx::Error> {
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT status, result FROM identity_verifications WHERE user_id = $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => IdentityState::NotStarted,
        Some((_, Some(result))) if result == "APPROVED" => IdentityState::Approved,
        Some((_, Some(_))) => IdentityState::Rejected,
        Some((status, None)) if status == "SUBMITTED" => IdentityState::Submitted,
        Some(_) => IdentityState::Created,
    })
}

async fn inquiry_facts(conn: &mut AnyConnection, user: i64) -> Result<InquiryFacts, sqlx::Error> {
    let statuses: Vec<String> = sqlx::query_scalar(
        "SELECT status FROM inquiries WHERE user_id = $1 AND purpose = 'ONBOARDING'",
    )
    .bind(user)
    .fetch_all(&mut *conn)
    .await?;
    let rejected: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM inquiry_entries e JOIN inquiries i ON i.id = e.inquiry_id \
         WHERE i.user_id = $1 AND i.purpose = 'ONBOARDING' AND i.status = 'FINALIZED' \
           AND e.status IN ('REJECTED', 'AUTO_REJECTED')",
    )
    .bind(user)
    .fetch_one(&mut *conn)
    .await?;
    Ok(InquiryFacts {
        expecting_user: statuses.iter().any(|s| s == "EXPECTING_REPLY_FROM_USER"),
        expecting_bunq: statuses.iter().any(|s| s == "EXPECTING_REPLY_FROM_BUNQ"),
        rejected: rejected > 0,
    })
}

/// Stores what the onboarding shows now; announces a change of `action_required`.
pub(super) async fn record(
    conn: &mut AnyConnection,
    current: &Onboarding,
    next: Assessment,
    done: &[Fulfillment],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let waiting_type = next.waiting_type.map(str::to_owned);
    if current.status == next.status
        && current.action_required == next.action_required
        && current.waiting_type == waiting_type
    {
        return Ok(());
    }
    sqlx::query(
        "UPDATE onboardings SET status = $2, action_required = $3, waiting_type = $4, updated = $5 \
         WHERE id = $1",
    )
    .bind(current.id)
    .bind(next.status.as_str())
    .bind(next.action_required.as_str())
    .bind(waiting_type.clone())
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    if current.action_required != next.action_required {
        let updated = Onboarding {
            status: next.status,
            action_required: next.action_required,
            waiting_type,
            updated: now,
            ..current.clone()
        };
        let object = Item::UserOnboarding(kyc::onboarding(&updated, done));
        crate::webhooks::outbox::emit_user_event(
            conn,
            current.user_id,
            USER_ONBOARDING,
            USER_ONBOARDING_UPDATED,
            current.id,
            &object,
            now,
        )
        .await?;
    }
    Ok(())
}

/// After `provisions` reached their onboarding phase: an onboarding that was decided before
/// (the partner may onboard the user while the provision's last steps still run) moves its
/// provision now.
pub(super) async fn settle_started(
    conn: &mut AnyConnection,
    provisions: &[i64],
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if provisions.is_empty() {
        return Ok(());
    }
    // One statement for all (inside a write each is a round trip), padded (see
    // `padded_placeholders`); a batch of its own, so that SQLite's writer runs it itself
    // (`direct`).
    let (marks, padded) = crate::padded_placeholders(1, provisions);
    let mut found = Statement::new(format!(
        "SELECT DISTINCT o.user_id FROM onboardings o JOIN provisions p ON p.user_id = o.user_id \
         WHERE p.id IN ({marks}) ORDER BY o.user_id"
    ));
    for id in padded {
        found = found.bind(id);
    }
    for row in found.fetch_all(conn).await? {
        settle(conn, row.try_get("user_id")?, now).await?;
    }
    Ok(())
}

/// Applies the onboarding rules to the user's current facts (see the module comment). A
/// decided onboarding also decides a provision that waits for it.
pub(super) async fn settle(
    conn: &mut AnyConnection,
    user: i64,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let current = ensure_onboarding(conn, user, "PARTNER_USER", now).await?;
    let done = load_fulfillments(conn, user).await?;
    let identity = identity_state(conn, user).await?;
    let inquiries = inquiry_facts(conn, user).await?;
    let status = match assess(current.status, &done, identity, inquiries) {
        Some(next) => {
            record(conn, &current, next, &done, now).await?;
            next.status
        }
        None => current.status,
    };
    let approved = match status {
        OnboardingStatus::Verified => true,
        OnboardingStatus::Denied => false,
        _ => return Ok(()),
    };
    let provision: Option<i64> = sqlx::query_scalar("SELECT id FROM provisions WHERE user_id = $1")
        .bind(user)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(provision) = provision else {
        return Ok(());
    };
    let Some(row) = crate::provisioning::rows::read(conn, provision).await? else {
        return Ok(());
    };
    let provision_record: Provision = row.try_into().map_err(corrupt)?;
    let cause = if approved {
        "onboarding verified"
    } else {
        "onboarding denied"
    };
    // A provision no longer waiting for onboarding (cancelled, say) keeps its state.
    if let Some(step) = provision_record
        .phase()
        .and_then(|phase| plan::decide_onboarding(phase, approved, cause).ok())
    {
        steps::apply(conn, provision, &step, now).await?;
    }
    Ok(())
}
