//! Wholesale removal for the sandbox controls: one partner with everything it owns, or
//! everything but the server key and the virtual clock.
//!
//! Ids are collected first and then written into the statements as integer lists: they come
//! from the database, never from input, and binding a list works alike on neither backend.

use sqlx::AnyConnection;

use crate::Backend;

/// `1,2,3`, or `NULL` for none (so `IN (NULL)` matches nothing).
fn list(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "NULL".to_owned();
    }
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn ids(conn: &mut AnyConnection, sql: &str) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(sql).fetch_all(conn).await
}

/// The partner and every user that hangs off it: provisioned users, and the `UserApiKey`s they
/// granted (followed until nothing new turns up).
async fn owned_users(conn: &mut AnyConnection, partner: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut owned = ids(
        conn,
        &format!(
            "SELECT id FROM users WHERE id = {partner} OR partner_id = {partner} \
             UNION SELECT user_id FROM provisions WHERE partner_id = {partner} AND user_id IS NOT NULL \
             UNION SELECT api_key_user_id FROM provisions \
                   WHERE partner_id = {partner} AND api_key_user_id IS NOT NULL"
        ),
    )
    .await?;
    loop {
        let o = list(&owned);
        let more: Vec<i64> = ids(
            conn,
            &format!(
                "SELECT id FROM users WHERE (partner_id IN ({o}) OR granted_user_id IN ({o})) \
                 AND id NOT IN ({o})"
            ),
        )
        .await?;
        if more.is_empty() {
            owned.sort_unstable();
            return Ok(owned);
        }
        owned.extend(more);
    }
}

/// Deletes partner `partner` and what it owns; `None` when it is not a partner.
pub(super) async fn delete_partner(
    conn: &mut AnyConnection,
    partner: i64,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let found: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1 AND kind = 'PARTNER'")
            .bind(partner)
            .fetch_one(&mut *conn)
            .await?;
    if found == 0 {
        return Ok(None);
    }
    let users = owned_users(conn, partner).await?;
    let o = list(&users);
    let provisions = list(
        &ids(
            conn,
            &format!(
                "SELECT id FROM provisions WHERE partner_id IN ({o}) OR user_id IN ({o}) \
                 OR api_key_user_id IN ({o})"
            ),
        )
        .await?,
    );
    let devices = list(
        &ids(
            conn,
            &format!("SELECT id FROM devices WHERE user_id IN ({o})"),
        )
        .await?,
    );
    // An installation goes only if no one else has a device or session on it.
    let installations = list(
        &ids(
            conn,
            &format!(
                "SELECT id FROM installations WHERE \
                   (id IN (SELECT installation_id FROM devices WHERE user_id IN ({o})) \
                    OR id IN (SELECT installation_id FROM sessions WHERE user_id IN ({o}))) \
                 AND id NOT IN (SELECT installation_id FROM devices WHERE user_id NOT IN ({o})) \
                 AND id NOT IN (SELECT installation_id FROM sessions WHERE user_id NOT IN ({o}))"
            ),
        )
        .await?,
    );
    // The avatars that go: these users' and those of their images.
    let avatars = format!(
        "SELECT uuid FROM avatars WHERE user_id IN ({o}) OR attachment_uuid IN \
         (SELECT uuid FROM public_attachments WHERE user_id IN ({o}))"
    );
    // The payments that go: these users' and their accounts'.
    let gone = format!(
        "user_id IN ({o}) OR monetary_account_id IN \
         (SELECT id FROM monetary_accounts WHERE user_id IN ({o}))"
    );
    let statements = [
        format!(
            "DELETE FROM delivery_attempts WHERE delivery_id IN \
             (SELECT id FROM deliveries WHERE user_id IN ({o}) OR user_requested_id IN ({o}))"
        ),
        format!("DELETE FROM deliveries WHERE user_id IN ({o}) OR user_requested_id IN ({o})"),
        format!("DELETE FROM notification_filters WHERE user_id IN ({o}) OR requested_by IN ({o})"),
        format!("DELETE FROM events WHERE user_id IN ({o})"),
        format!("DELETE FROM jobs WHERE provision_id IN ({provisions})"),
        format!("DELETE FROM provision_history WHERE provision_id IN ({provisions})"),
        format!("DELETE FROM credentials WHERE provision_id IN ({provisions})"),
        format!(
            "DELETE FROM inquiry_entries WHERE inquiry_id IN \
             (SELECT id FROM inquiries WHERE user_id IN ({o}))"
        ),
        format!("DELETE FROM inquiries WHERE user_id IN ({o})"),
        format!("DELETE FROM document_identifications WHERE user_id IN ({o})"),
        format!("DELETE FROM identity_verifications WHERE user_id IN ({o})"),
        format!("DELETE FROM attachments WHERE user_id IN ({o})"),
        // An account or a user (of any partner) that shows one of the avatars going shows
        // its default avatar again.
        format!("UPDATE monetary_accounts SET avatar_uuid = NULL WHERE avatar_uuid IN ({avatars})"),
        format!("UPDATE users SET avatar_uuid = NULL WHERE avatar_uuid IN ({avatars})"),
        format!("DELETE FROM avatars WHERE uuid IN ({avatars})"),
        format!("DELETE FROM public_attachments WHERE user_id IN ({o})"),
        format!("DELETE FROM fulfillments WHERE user_id IN ({o})"),
        format!("DELETE FROM onboardings WHERE user_id IN ({o})"),
        format!(
            "DELETE FROM card_timers WHERE (kind IN ('ORDER_STEP') AND subject_id IN \
             (SELECT id FROM cards WHERE user_id IN ({o}))) \
             OR (kind = 'CVC2_EXPIRY' AND subject_id IN (SELECT id FROM card_cvc2s WHERE card_id IN \
             (SELECT id FROM cards WHERE user_id IN ({o})))) \
             OR (kind = 'CHALLENGE_EXPIRY' AND subject_id IN \
             (SELECT id FROM challenge_requests WHERE user_id IN ({o})))"
        ),
        format!("DELETE FROM challenge_requests WHERE user_id IN ({o})"),
        format!("DELETE FROM mastercard_actions WHERE user_id IN ({o})"),
        format!("DELETE FROM card_cvc2s WHERE card_id IN (SELECT id FROM cards WHERE user_id IN ({o}))"),
        format!("DELETE FROM cards WHERE user_id IN ({o})"),
        // A payment between one of these accounts and another partner's is two rows; the
        // other side stays, as a payment with an account elsewhere (its IBAN and name were
        // kept on it): EBA_SCT, so the ledger counts it as money in or out and it holds.
        format!(
            "UPDATE payments SET type = 'EBA_SCT' WHERE type = 'BUNQ' AND NOT ({gone}) \
             AND transfer_id IN (SELECT transfer_id FROM payments WHERE type = 'BUNQ' AND ({gone}))"
        ),
        format!(
            "DELETE FROM bunqme_tab_results WHERE tab_id IN \
             (SELECT id FROM bunqme_tabs WHERE user_id IN ({o}))"
        ),
        format!("DELETE FROM bunqme_tabs WHERE user_id IN ({o})"),
        // Batches, drafts and schedules are the paying user's, on its own accounts.
        format!(
            "DELETE FROM schedule_timers WHERE schedule_id IN \
             (SELECT id FROM payment_schedules WHERE {gone})"
        ),
        format!("DELETE FROM schedule_instances WHERE {gone}"),
        format!("DELETE FROM payment_schedules WHERE {gone}"),
        format!(
            "DELETE FROM draft_payment_entries WHERE draft_payment_id IN \
             (SELECT id FROM draft_payments WHERE {gone})"
        ),
        format!("DELETE FROM draft_payments WHERE {gone}"),
        format!("DELETE FROM payment_batches WHERE {gone}"),
        format!(
            "DELETE FROM payment_notes WHERE user_id IN ({o}) OR payment_id IN \
             (SELECT id FROM payments WHERE {gone})"
        ),
        format!("DELETE FROM payments WHERE {gone}"),
        // A request from another partner's account to one of these stays, as a request to an
        // IBAN elsewhere (nobody here answers it), like the surviving side of a payment.
        format!(
            "UPDATE money_requests SET responder_account_id = NULL, responder_user_id = NULL \
             WHERE responder_user_id IN ({o}) AND user_id NOT IN ({o})"
        ),
        format!("DELETE FROM money_requests WHERE user_id IN ({o}) OR responder_user_id IN ({o})"),
        format!("DELETE FROM monetary_accounts WHERE user_id IN ({o})"),
        format!(
            "DELETE FROM oauth_codes WHERE user_id IN ({o}) OR oauth_client_id IN \
             (SELECT id FROM oauth_clients WHERE user_id IN ({o}))"
        ),
        format!(
            "DELETE FROM oauth_grants WHERE user_id IN ({o}) OR api_key_user_id IN ({o}) \
             OR oauth_client_id IN (SELECT id FROM oauth_clients WHERE user_id IN ({o}))"
        ),
        format!(
            "DELETE FROM oauth_callback_urls WHERE oauth_client_id IN \
             (SELECT id FROM oauth_clients WHERE user_id IN ({o}))"
        ),
        format!("DELETE FROM oauth_clients WHERE user_id IN ({o})"),
        format!("DELETE FROM sessions WHERE user_id IN ({o}) OR device_id IN ({devices})"),
        format!("DELETE FROM devices WHERE id IN ({devices})"),
        format!("DELETE FROM installations WHERE id IN ({installations})"),
        format!("DELETE FROM api_keys WHERE user_id IN ({o})"),
        format!("DELETE FROM aliases WHERE user_id IN ({o})"),
        format!("DELETE FROM provisions WHERE id IN ({provisions})"),
        format!("DELETE FROM users WHERE id IN ({o})"),
    ];
    for sql in statements {
        sqlx::query(&sql).execute(&mut *conn).await?;
    }
    Ok(Some(users))
}

/// Tables a reset keeps: the schema's own record, the server key (existing clients keep
/// trusting the server's public key), the virtual clock (it never moves back), the readiness
/// probe's row and the dashboard's sessions (the operator who pressed reset stays signed in).
const KEPT: &str =
    "'_sqlx_migrations', 'server_key', 'sandbox_clock', 'store_heartbeat', 'dashboard_sessions'";

/// Empties every other table, whichever migrations added it.
pub(super) async fn reset(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Postgres => {
            let tables: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name NOT IN ({KEPT})"
            ))
            .fetch_all(&mut *conn)
            .await?;
            if !tables.is_empty() {
                let quoted: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
                sqlx::query(&format!("TRUNCATE {} RESTART IDENTITY", quoted.join(", ")))
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT IN ({KEPT})"
            ))
            .fetch_all(&mut *conn)
            .await?;
            // Checked at commit, when every referencing row is gone too; switched back so the
            // other writes sharing this commit are checked as usual.
            sqlx::query("PRAGMA defer_foreign_keys = ON")
                .execute(&mut *conn)
                .await?;
            for table in &tables {
                sqlx::query(&format!("DELETE FROM \"{table}\""))
                    .execute(&mut *conn)
                    .await?;
            }
            // Ids start again at 1, as PostgreSQL's RESTART IDENTITY does.
            sqlx::query(&format!(
                "DELETE FROM sqlite_sequence WHERE name NOT IN ({KEPT})"
            ))
            .execute(&mut *conn)
            .await?;
            sqlx::query("PRAGMA defer_foreign_keys = OFF")
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
