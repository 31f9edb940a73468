//! Executing a provision [`Step`] inside a transaction: the compare-and-set on the stored
//! state, the side effects, the history entry and the follow-up job. Shared by the HTTP path
//! (`apply_step`) and the worker (`finish_jobs`), so a transition means the same thing
//! wherever it starts.

use provisio_core::{
    model::DEFAULT_SESSION_TIMEOUT_SECS,
    provision::{
        plan::{Effect, JobKind, JobSpec, NewCredential, Step},
        state::Stored,
        UserVerifiedType,
    },
    time::Timestamp,
};
use sqlx::AnyConnection;

use super::events::emit_provision_updated;

/// Applies `step` to provision `id` if it is still in `step.expect`. Returns whether it was.
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    id: i64,
    step: &Step,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let to = step.to;
    let changed = sqlx::query(
        "UPDATE provisions SET status = $2, sub_status = $3, action_required = $4, \
                reset_resume = $5, updated = $6 \
         WHERE id = $1 AND status = $7 AND sub_status = $8",
    )
    .bind(id)
    .bind(to.status.as_str())
    .bind(to.sub_status.as_str())
    .bind(to.action_required.as_str())
    .bind(to.resume.map(|r| r.as_str()))
    .bind(now.micros())
    .bind(step.expect.status.as_str())
    .bind(step.expect.sub_status.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    for effect in &step.effects {
        perform(conn, id, effect, now).await?;
    }
    // The provision's end is its user's cards' end: they are cancelled and their pending 3DS
    // challenges expire in this transaction, so no card of an ended provision pays after the
    // commit. CANCELLED → CLOSED ended them already.
    if step.to.status.freezes_user() && !step.expect.status.freezes_user() {
        crate::cards::ending::end_user_cards(conn, id, now).await?;
    }
    record(conn, id, Some(step.expect), step.to, now, &step.cause).await?;
    if let Some(job) = &step.follow_up {
        schedule(conn, id, job, Some(step.to), now).await?;
    }
    emit_provision_updated(conn, id, now).await?;
    Ok(true)
}

async fn perform(
    conn: &mut AnyConnection,
    id: i64,
    effect: &Effect,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let t = now.micros();
    match effect {
        Effect::CreateUser => {
            // bunq shows a brand-new user as "New bunqer" until onboarding names it. The
            // provision's partner and kind are read by the INSERT itself: inside a write each
            // statement is a round trip.
            let user: i64 = sqlx::query_scalar(
                "INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, created, updated) \
                 SELECT CASE WHEN user_verified_type = $2 THEN 'COMPANY' ELSE 'PERSON' END, \
                        $3, 'New bunqer', $4, partner_id, $5, $5 \
                 FROM provisions WHERE id = $1 RETURNING id",
            )
            .bind(id)
            .bind(UserVerifiedType::Company.as_str())
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(DEFAULT_SESSION_TIMEOUT_SECS)
            .bind(t)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query("UPDATE provisions SET user_id = $2 WHERE id = $1")
                .bind(id)
                .bind(user)
                .execute(&mut *conn)
                .await?;
        }
        Effect::AcceptOauthRequest {
            authorization_code,
            credential,
        } => {
            // The user's API key, granted to the provision's user by its partner.
            let api_key_user: i64 = sqlx::query_scalar(
                "INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, \
                                    granted_user_id, created, updated) \
                 SELECT 'API_KEY', $2, 'API key', $3, partner_id, user_id, $4, $4 \
                 FROM provisions WHERE id = $1 RETURNING id",
            )
            .bind(id)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(DEFAULT_SESSION_TIMEOUT_SECS)
            .bind(t)
            .fetch_one(&mut *conn)
            .await?;
            let credential_id = insert_credential(conn, id, credential, now).await?;
            // Bound to the partner's newest active client and its newest callback URL (both
            // subqueries pick the same row: the order is by unique ids), in the statement that
            // records the grant.
            let newest_client = "FROM oauth_clients oc \
                 JOIN oauth_callback_urls cu ON cu.oauth_client_id = oc.id \
                 WHERE oc.user_id = provisions.partner_id AND oc.status = 'ACTIVE' \
                 ORDER BY oc.id DESC, cu.id DESC LIMIT 1";
            sqlx::query(&format!(
                "UPDATE provisions SET oauth_uuid = $2, \
                        oauth_client_id = (SELECT oc.id {newest_client}), \
                        oauth_callback_url = (SELECT cu.url {newest_client}), \
                        oauth_code = $3, oauth_created = $4, api_key_user_id = $5, \
                        credential_id = $6 \
                 WHERE id = $1"
            ))
            .bind(id)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(authorization_code.expose().to_owned())
            .bind(t)
            .bind(api_key_user)
            .bind(credential_id)
            .execute(&mut *conn)
            .await?;
        }
        Effect::IssueCredential(credential) => issue(conn, id, credential, now).await?,
        Effect::RevokeCredential => {
            sqlx::query(
                "UPDATE credentials SET status = 'REVOKED', token_value = NULL, updated = $2 \
                 WHERE id = (SELECT credential_id FROM provisions WHERE id = $1) \
                   AND status IN ('PENDING_FIRST_USE', 'ACTIVE')",
            )
            .bind(id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
        }
        Effect::DropCredential => {
            sqlx::query("UPDATE provisions SET credential_id = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            // The user's key is gone for good: no session may act through it any more.
            sqlx::query(
                "UPDATE users SET status = 'CLOSED', updated = $2 \
                 WHERE id = (SELECT api_key_user_id FROM provisions WHERE id = $1)",
            )
            .bind(id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
        }
        Effect::EndUserSessions => {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id = (SELECT api_key_user_id FROM provisions WHERE id = $1)",
            )
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Issues `credential` as the provision's current one.
async fn issue(
    conn: &mut AnyConnection,
    id: i64,
    credential: &NewCredential,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let credential_id = insert_credential(conn, id, credential, now).await?;
    sqlx::query("UPDATE provisions SET credential_id = $2 WHERE id = $1")
        .bind(id)
        .bind(credential_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes `credential` for provision `id`, not yet its current one; answers its id.
async fn insert_credential(
    conn: &mut AnyConnection,
    id: i64,
    credential: &NewCredential,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO credentials (provision_id, token_hash, token_value, status, expiry_time, \
                                  created, updated) \
         VALUES ($1, $2, $3, 'PENDING_FIRST_USE', $4, $5, $5) RETURNING id",
    )
    .bind(id)
    .bind(credential.token.hash().as_str().to_owned())
    .bind(credential.token.expose().to_owned())
    .bind(credential.expiry.micros())
    .bind(now.micros())
    .fetch_one(&mut *conn)
    .await
}

/// Appends to the provision's history.
pub(super) async fn record(
    conn: &mut AnyConnection,
    id: i64,
    from: Option<Stored>,
    to: Stored,
    now: Timestamp,
    cause: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO provision_history (provision_id, at, from_status, from_sub_status, \
                                        to_status, to_sub_status, cause) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(now.micros())
    .bind(from.map(|s| s.status.as_str()))
    .bind(from.map(|s| s.sub_status.as_str()))
    .bind(to.status.as_str())
    .bind(to.sub_status.as_str())
    .bind(cause.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An event that changes the provision's object but not its state (a credential used or
/// expired): bump `updated` and note it in the history.
pub(crate) async fn touch(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
    cause: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE provisions SET updated = $2 WHERE id = $1")
        .bind(id)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO provision_history (provision_id, at, from_status, from_sub_status, \
                                        to_status, to_sub_status, cause) \
         SELECT id, $2, status, sub_status, status, sub_status, $3 FROM provisions WHERE id = $1",
    )
    .bind(id)
    .bind(now.micros())
    .bind(cause.to_owned())
    .execute(&mut *conn)
    .await?;
    emit_provision_updated(conn, id, now).await
}

/// Schedules `job`; an `ADVANCE` job records the state it is meant for.
pub(crate) async fn schedule(
    conn: &mut AnyConnection,
    id: i64,
    job: &JobSpec,
    state: Option<Stored>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let expect = state.filter(|_| job.kind == JobKind::Advance);
    sqlx::query(
        "INSERT INTO jobs (kind, provision_id, expect_status, expect_sub_status, run_at, created) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(job.kind.as_str())
    .bind(id)
    .bind(expect.map(|s| s.status.as_str()))
    .bind(expect.map(|s| s.sub_status.as_str()))
    .bind(job.run_at.micros())
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Expires the provision's credential if it is still unused at `now`. Returns whether it did.
pub(crate) async fn expire_credential(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let expired = sqlx::query(
        "UPDATE credentials SET status = 'EXPIRED', token_value = NULL, updated = $2 \
         WHERE provision_id = $1 AND status = 'PENDING_FIRST_USE' AND expiry_time <= $2",
    )
    .bind(id)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0;
    if expired {
        touch(conn, id, now, "credential expired").await?;
    }
    Ok(expired)
}
