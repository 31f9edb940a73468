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

use super::{
    effects,
    events::{self, PartnerTargets, ProvisionEvent},
};
use crate::{
    batch::{Batch, Statement},
    chain::{chains_writes, with_returned, Chain},
};

/// Applies `step` to provision `id` if it is still in `step.expect`. Returns whether it was.
///
/// The compare-and-set goes alone; what follows it (the effects, the history entry, the
/// follow-up job and the webhook's reads) goes in one [`Batch`]: none of it depends on what
/// the statements before it answer, as ids written in the batch are found again by their
/// unique values. On PostgreSQL, see [`apply_all`].
pub(crate) async fn apply(
    conn: &mut AnyConnection,
    id: i64,
    step: &Step,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    if chains_writes(conn) {
        let applied = apply_alike(conn, &[(id, step)], now).await?;
        return Ok(applied.first().copied().unwrap_or(false));
    }
    // A batch of its own, so that SQLite's writer runs it itself (`direct`).
    let changed = compare_and_set(&[id], step, now, "id")
        .fetch_all(conn)
        .await?;
    if changed.is_empty() {
        return Ok(false);
    }
    let mut batch = Batch::new();
    for effect in &step.effects {
        for statement in perform(id, effect, now, false) {
            batch.push(statement);
        }
    }
    end_cards_if_ending(conn, &mut batch, id, step, now).await?;
    batch.push(record_statement(
        id,
        Some(step.expect),
        step.to,
        now,
        &step.cause,
    ));
    if let Some(job) = &step.follow_up {
        batch.push(schedule_statement(id, job, Some(step.to), now));
    }
    let event = ProvisionEvent::read_in(&mut batch, id);
    let answers = batch.run(conn).await?;
    event.queue(conn, &answers, now).await?;
    Ok(true)
}

/// Applies each `(provision, step)` like [`apply`], answering in order whether each was.
/// The provisions must differ from each other.
///
/// On PostgreSQL, where each statement is a round trip, the steps that make the same change
/// (the same states, cause and follow-up; the worker's batches are mostly such) make it in
/// one statement (`chain`): the compare-and-set of all their provisions, their history
/// entries, their follow-up jobs and their partners' webhook targets. Each provision's
/// effects, and with a target its read for the webhook, follow in one [`Batch`] of its own.
pub(crate) async fn apply_all(
    conn: &mut AnyConnection,
    steps: &[(i64, &Step)],
    now: Timestamp,
) -> Result<Vec<bool>, sqlx::Error> {
    let mut applied = vec![false; steps.len()];
    if !chains_writes(conn) {
        for (done, (id, step)) in applied.iter_mut().zip(steps) {
            *done = apply(conn, *id, step, now).await?;
        }
        return Ok(applied);
    }
    // Each group: the positions of steps making the same change.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (at, (_, step)) in steps.iter().enumerate() {
        match groups
            .iter_mut()
            .find(|group| same_change(steps[group[0]].1, step))
        {
            Some(group) => group.push(at),
            None => groups.push(vec![at]),
        }
    }
    for group in groups {
        let alike: Vec<(i64, &Step)> = group.iter().map(|&at| steps[at]).collect();
        let done = apply_alike(conn, &alike, now).await?;
        for (at, done) in group.into_iter().zip(done) {
            applied[at] = done;
        }
    }
    Ok(applied)
}

/// Whether two steps make the same change to their provisions (their effects may differ).
fn same_change(a: &Step, b: &Step) -> bool {
    a.expect == b.expect && a.to == b.to && a.cause == b.cause && a.follow_up == b.follow_up
}

/// [`apply_all`] on PostgreSQL for steps that make the same change (see [`same_change`]).
async fn apply_alike(
    conn: &mut AnyConnection,
    steps: &[(i64, &Step)],
    now: Timestamp,
) -> Result<Vec<bool>, sqlx::Error> {
    let Some((_, step)) = steps.first() else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = steps.iter().map(|(id, _)| *id).collect();
    // The history entry and the follow-up job take the changed provision's id (`$1` and `$2`
    // of their statements) from the compare-and-set.
    let mut chain = Chain::new(
        "changed",
        compare_and_set(&ids, step, now, "id, partner_id"),
    );
    chain.insert(
        record_statement(0, Some(step.expect), step.to, now, &step.cause),
        Some(1),
    )?;
    if let Some(job) = &step.follow_up {
        chain.insert(schedule_statement(0, job, Some(step.to), now), Some(2))?;
    }
    let rows = chain
        .select(events::targets_joined("changed"))
        .fetch_all(conn)
        .await?;
    let mut targets = events::targets_by_provision(rows)?;
    let changed: Vec<(i64, &Step, PartnerTargets)> = steps
        .iter()
        .filter_map(|(id, step)| Some((*id, *step, targets.remove(id)?)))
        .collect();
    // The effects in one statement when each provision has one, of a kind that has a set
    // form, and no card must end in between.
    let mut effects_done = false;
    if !ends_cards(step) {
        let only: Option<Vec<(i64, &Effect)>> = changed
            .iter()
            .map(|(id, step, _)| match step.effects.as_slice() {
                [effect] => Some((*id, effect)),
                _ => None,
            })
            .collect();
        if let Some(statement) = only.and_then(|only| effects::together(&only, now)) {
            statement.fetch_all(conn).await?;
            effects_done = true;
        }
    }
    let applied: Vec<i64> = changed.iter().map(|(id, _, _)| *id).collect();
    for (id, step, targets) in changed {
        let mut batch = Batch::new();
        if !effects_done {
            for effect in &step.effects {
                for statement in perform(id, effect, now, true) {
                    batch.push(statement);
                }
            }
        }
        end_cards_if_ending(conn, &mut batch, id, step, now).await?;
        let event = ProvisionEvent::after_targets(&mut batch, id, targets);
        let answers = batch.run(conn).await?;
        event.queue(conn, &answers, now).await?;
    }
    Ok(steps.iter().map(|(id, _)| applied.contains(id)).collect())
}

/// The compare-and-set of `step` on each of the provisions `ids`, answering `returning` of
/// those still in `step.expect`. The list of ids is padded to a power of two by repeating the
/// last (`crate::padded_placeholders`): each length is a statement that PostgreSQL prepares
/// once per connection.
fn compare_and_set(ids: &[i64], step: &Step, now: Timestamp, returning: &str) -> Statement {
    let to = step.to;
    let (marks, padded) = crate::padded_placeholders(8, ids);
    let mut statement = Statement::new(format!(
        "UPDATE provisions SET status = $1, sub_status = $2, action_required = $3, \
                reset_resume = $4, updated = $5 \
         WHERE status = $6 AND sub_status = $7 AND id IN ({marks}) RETURNING {returning}"
    ))
    .bind(to.status.as_str())
    .bind(to.sub_status.as_str())
    .bind(to.action_required.as_str())
    .bind(to.resume.map(|r| r.as_str()))
    .bind(now.micros())
    .bind(step.expect.status.as_str())
    .bind(step.expect.sub_status.as_str());
    for id in padded {
        statement = statement.bind(id);
    }
    statement
}

/// The provision's end is its user's cards' end: they are cancelled and their pending 3DS
/// challenges expire in this transaction, so no card of an ended provision pays after the
/// commit. CANCELLED → CLOSED ended them already. Runs `batch` first (the step's effects).
async fn end_cards_if_ending(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    id: i64,
    step: &Step,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    if ends_cards(step) {
        std::mem::take(batch).run(conn).await?;
        crate::cards::ending::end_user_cards(conn, id, now).await?;
    }
    Ok(())
}

/// Whether `step` ends its provision, and with it its user's cards.
fn ends_cards(step: &Step) -> bool {
    step.to.status.freezes_user() && !step.expect.status.freezes_user()
}

/// The statements of `effect` on provision `id`. A row an effect inserts and then points the
/// provision at is found by its unique value in a statement of its own, or, `chained` (on
/// PostgreSQL), by what its INSERT returns, in one statement (`chain::with_returned`).
fn perform(id: i64, effect: &Effect, now: Timestamp, chained: bool) -> Vec<Statement> {
    let t = now.micros();
    let new_id = |part: &str, unique: &str| {
        if chained {
            format!("(SELECT id FROM {part})")
        } else {
            format!("(SELECT id FROM {unique})")
        }
    };
    let together = |inserts: Vec<(&'static str, Statement)>, last: Statement| {
        if chained {
            vec![with_returned(inserts, last)]
        } else {
            inserts.into_iter().map(|(_, s)| s).chain([last]).collect()
        }
    };
    match effect {
        Effect::CreateUser => {
            // bunq shows a brand-new user as "New bunqer" until onboarding names it. The
            // provision's partner and kind are read by the INSERT itself: inside a write each
            // statement is a round trip.
            let public_uuid = provisio_core::ids::fresh_uuid().to_string();
            let user = Statement::new(
                "INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, created, updated) \
                 SELECT CASE WHEN user_verified_type = $2 THEN 'COMPANY' ELSE 'PERSON' END, \
                        $3, 'New bunqer', $4, partner_id, $5, $5 \
                 FROM provisions WHERE id = $1",
            )
            .bind(id)
            .bind(UserVerifiedType::Company.as_str())
            .bind(public_uuid.as_str())
            .bind(DEFAULT_SESSION_TIMEOUT_SECS)
            .bind(t);
            let point = Statement::new(format!(
                "UPDATE provisions SET user_id = {} WHERE id = $1",
                new_id("new_user", "users WHERE public_uuid = $2")
            ))
            .bind(id)
            .bind(public_uuid);
            together(vec![("new_user", user)], point)
        }
        Effect::AcceptOauthRequest {
            authorization_code,
            credential,
        } => {
            // The user's API key, granted to the provision's user by its partner.
            let public_uuid = provisio_core::ids::fresh_uuid().to_string();
            let api_key = Statement::new(
                "INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, \
                                    granted_user_id, created, updated) \
                 SELECT 'API_KEY', $2, 'API key', $3, partner_id, user_id, $4, $4 \
                 FROM provisions WHERE id = $1",
            )
            .bind(id)
            .bind(public_uuid.as_str())
            .bind(DEFAULT_SESSION_TIMEOUT_SECS)
            .bind(t);
            // Bound to the partner's newest active client and its newest callback URL (both
            // subqueries pick the same row: the order is by unique ids), in the statement that
            // records the grant.
            let newest_client = "FROM oauth_clients oc \
                 JOIN oauth_callback_urls cu ON cu.oauth_client_id = oc.id \
                 WHERE oc.user_id = provisions.partner_id AND oc.status = 'ACTIVE' \
                 ORDER BY oc.id DESC, cu.id DESC LIMIT 1";
            let grant = Statement::new(format!(
                "UPDATE provisions SET oauth_uuid = $2, \
                        oauth_client_id = (SELECT oc.id {newest_client}), \
                        oauth_callback_url = (SELECT cu.url {newest_client}), \
                        oauth_code = $3, oauth_created = $4, \
                        api_key_user_id = {}, credential_id = {} \
                 WHERE id = $1",
                new_id("api_key", "users WHERE public_uuid = $5"),
                new_id("credential", "credentials WHERE token_hash = $6"),
            ))
            .bind(id)
            .bind(provisio_core::ids::fresh_uuid().to_string())
            .bind(authorization_code.expose())
            .bind(t)
            .bind(public_uuid)
            .bind(credential.token.hash().as_str());
            together(
                vec![
                    ("api_key", api_key),
                    ("credential", credential_statement(id, credential, now)),
                ],
                grant,
            )
        }
        Effect::IssueCredential(credential) => {
            // The provision's current credential from now on.
            let current = Statement::new(format!(
                "UPDATE provisions SET credential_id = {} WHERE id = $1",
                new_id("credential", "credentials WHERE token_hash = $2")
            ))
            .bind(id)
            .bind(credential.token.hash().as_str());
            together(
                vec![("credential", credential_statement(id, credential, now))],
                current,
            )
        }
        Effect::RevokeCredential => vec![Statement::new(
            "UPDATE credentials SET status = 'REVOKED', token_value = NULL, updated = $2 \
             WHERE id = (SELECT credential_id FROM provisions WHERE id = $1) \
               AND status IN ('PENDING_FIRST_USE', 'ACTIVE')",
        )
        .bind(id)
        .bind(t)],
        Effect::DropCredential => vec![
            Statement::new("UPDATE provisions SET credential_id = NULL WHERE id = $1").bind(id),
            // The user's key is gone for good: no session may act through it any more.
            Statement::new(
                "UPDATE users SET status = 'CLOSED', updated = $2 \
                 WHERE id = (SELECT api_key_user_id FROM provisions WHERE id = $1)",
            )
            .bind(id)
            .bind(t),
        ],
        Effect::EndUserSessions => vec![Statement::new(
            "DELETE FROM sessions WHERE user_id = (SELECT api_key_user_id FROM provisions WHERE id = $1)",
        )
        .bind(id)],
    }
}

/// Writes `credential` for provision `id`, not yet its current one: the statement after it
/// finds it by its token's hash (unique).
fn credential_statement(id: i64, credential: &NewCredential, now: Timestamp) -> Statement {
    Statement::new(
        "INSERT INTO credentials (provision_id, token_hash, token_value, status, expiry_time, \
                                  created, updated) \
         VALUES ($1, $2, $3, 'PENDING_FIRST_USE', $4, $5, $5)",
    )
    .bind(id)
    .bind(credential.token.hash().as_str())
    .bind(credential.token.expose())
    .bind(credential.expiry.micros())
    .bind(now.micros())
}

/// Appends to the provision's history.
pub(super) fn record_statement(
    id: i64,
    from: Option<Stored>,
    to: Stored,
    now: Timestamp,
    cause: &str,
) -> Statement {
    Statement::new(
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
    .bind(cause)
}

/// An event that changes the provision's object but not its state (a credential used or
/// expired): bump `updated` and note it in the history.
pub(crate) async fn touch(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
    cause: &str,
) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new();
    batch.push(
        Statement::new("UPDATE provisions SET updated = $2 WHERE id = $1")
            .bind(id)
            .bind(now.micros()),
    );
    batch.push(
        Statement::new(
            "INSERT INTO provision_history (provision_id, at, from_status, from_sub_status, \
                                            to_status, to_sub_status, cause) \
             SELECT id, $2, status, sub_status, status, sub_status, $3 FROM provisions WHERE id = $1",
        )
        .bind(id)
        .bind(now.micros())
        .bind(cause),
    );
    let event = ProvisionEvent::read_in(&mut batch, id);
    let answers = batch.run(conn).await?;
    event.queue(conn, &answers, now).await
}

/// Schedules `job`; an `ADVANCE` job records the state it is meant for.
pub(crate) async fn schedule(
    conn: &mut AnyConnection,
    id: i64,
    job: &JobSpec,
    state: Option<Stored>,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    let mut batch = Batch::new();
    batch.push(schedule_statement(id, job, state, now));
    batch.run(conn).await.map(drop)
}

/// The INSERT of [`schedule`].
pub(super) fn schedule_statement(
    id: i64,
    job: &JobSpec,
    state: Option<Stored>,
    now: Timestamp,
) -> Statement {
    let expect = state.filter(|_| job.kind == JobKind::Advance);
    Statement::new(
        "INSERT INTO jobs (kind, provision_id, expect_status, expect_sub_status, run_at, created) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(job.kind.as_str())
    .bind(id)
    .bind(expect.map(|s| s.status.as_str()))
    .bind(expect.map(|s| s.sub_status.as_str()))
    .bind(job.run_at.micros())
    .bind(now.micros())
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
