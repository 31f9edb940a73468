//! The effects of several provisions' steps that make the same change, in one statement on
//! PostgreSQL (see `steps::apply_all`): the worker's batches carry many provisions through
//! the same step, and there each statement is a round trip.
//!
//! Each is the set form of the statements `steps::perform` runs for one provision; the two
//! write the same rows (the contract tests run both: SQLite takes one provision at a time).
//! The provisions' own values come in a `VALUES` list, padded to a power of two by repeating
//! the last row (`SELECT DISTINCT` drops the repeats), so that each length is a statement
//! PostgreSQL prepares once per connection; the rows a statement inserts are found again by
//! their unique values, in the same statement.

use provisio_core::{
    model::DEFAULT_SESSION_TIMEOUT_SECS,
    provision::{plan::Effect, UserVerifiedType},
    time::Timestamp,
};

use crate::batch::{Statement, Value};

/// The one statement making `effects`, each a provision's only effect, when they are all of
/// a kind that has a set form; `None` otherwise.
pub(super) fn together(effects: &[(i64, &Effect)], now: Timestamp) -> Option<Statement> {
    match effects.first()?.1 {
        Effect::CreateUser if effects.iter().all(|(_, e)| matches!(e, Effect::CreateUser)) => {
            Some(create_users(effects, now))
        }
        Effect::AcceptOauthRequest { .. }
            if effects
                .iter()
                .all(|(_, e)| matches!(e, Effect::AcceptOauthRequest { .. })) =>
        {
            Some(accept_oauth_requests(effects, now))
        }
        _ => None,
    }
}

/// `Effect::CreateUser` of each provision: a "New bunqer" of the provision's kind, and the
/// provision pointed at it.
fn create_users(effects: &[(i64, &Effect)], now: Timestamp) -> Statement {
    let rows: Vec<Vec<Value>> = effects
        .iter()
        .map(|(id, _)| {
            vec![
                (*id).into(),
                provisio_core::ids::fresh_uuid().to_string().into(),
            ]
        })
        .collect();
    let (input, values) = values_list(&rows, 4);
    Statement::from_parts(
        format!(
            "WITH input (provision_id, public_uuid) AS (SELECT DISTINCT * FROM (VALUES {input}) AS v), \
             new_users AS ( \
                 INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, created, updated) \
                 SELECT CASE WHEN p.user_verified_type = $1 THEN 'COMPANY' ELSE 'PERSON' END, \
                        i.public_uuid, 'New bunqer', $2, p.partner_id, $3, $3 \
                 FROM input i JOIN provisions p ON p.id = i.provision_id \
                 ORDER BY i.provision_id \
                 RETURNING id, public_uuid) \
             UPDATE provisions SET user_id = u.id \
             FROM input i JOIN new_users u ON u.public_uuid = i.public_uuid \
             WHERE provisions.id = i.provision_id"
        ),
        [
            Value::from(UserVerifiedType::Company.as_str()),
            DEFAULT_SESSION_TIMEOUT_SECS.into(),
            now.micros().into(),
        ]
        .into_iter()
        .chain(values)
        .collect(),
    )
}

/// `Effect::AcceptOauthRequest` of each provision: the user's API key, the first credential,
/// and the grant (the partner's newest active client and its newest callback URL).
fn accept_oauth_requests(effects: &[(i64, &Effect)], now: Timestamp) -> Statement {
    let rows: Vec<Vec<Value>> = effects
        .iter()
        .filter_map(|(id, effect)| match effect {
            Effect::AcceptOauthRequest {
                authorization_code,
                credential,
            } => Some(vec![
                (*id).into(),
                provisio_core::ids::fresh_uuid().to_string().into(),
                credential.token.hash().as_str().into(),
                credential.token.expose().into(),
                credential.expiry.micros().into(),
                provisio_core::ids::fresh_uuid().to_string().into(),
                authorization_code.expose().into(),
            ]),
            _ => None,
        })
        .collect();
    let (input, values) = values_list(&rows, 3);
    let newest_client = "FROM oauth_clients oc \
         JOIN oauth_callback_urls cu ON cu.oauth_client_id = oc.id \
         WHERE oc.user_id = provisions.partner_id AND oc.status = 'ACTIVE' \
         ORDER BY oc.id DESC, cu.id DESC LIMIT 1";
    Statement::from_parts(
        format!(
            "WITH input (provision_id, key_uuid, token_hash, token_value, expiry, oauth_uuid, code) \
                 AS (SELECT DISTINCT * FROM (VALUES {input}) AS v), \
             api_keys AS ( \
                 INSERT INTO users (kind, public_uuid, name, session_timeout, partner_id, \
                                    granted_user_id, created, updated) \
                 SELECT 'API_KEY', i.key_uuid, 'API key', $1, p.partner_id, p.user_id, $2, $2 \
                 FROM input i JOIN provisions p ON p.id = i.provision_id \
                 ORDER BY i.provision_id \
                 RETURNING id, public_uuid), \
             new_credentials AS ( \
                 INSERT INTO credentials (provision_id, token_hash, token_value, status, \
                                          expiry_time, created, updated) \
                 SELECT i.provision_id, i.token_hash, i.token_value, 'PENDING_FIRST_USE', \
                        i.expiry, $2, $2 \
                 FROM input i ORDER BY i.provision_id \
                 RETURNING id, token_hash) \
             UPDATE provisions SET oauth_uuid = i.oauth_uuid, \
                    oauth_client_id = (SELECT oc.id {newest_client}), \
                    oauth_callback_url = (SELECT cu.url {newest_client}), \
                    oauth_code = i.code, oauth_created = $2, \
                    api_key_user_id = k.id, credential_id = c.id \
             FROM input i \
             JOIN api_keys k ON k.public_uuid = i.key_uuid \
             JOIN new_credentials c ON c.token_hash = i.token_hash \
             WHERE provisions.id = i.provision_id"
        ),
        [
            Value::from(DEFAULT_SESSION_TIMEOUT_SECS),
            now.micros().into(),
        ]
        .into_iter()
        .chain(values)
        .collect(),
    )
}

/// A `VALUES` list of `rows` (each of the same width) with placeholders from `$first`, padded
/// to a power of two by repeating the last row, and the values to bind in order.
fn values_list(rows: &[Vec<Value>], first: usize) -> (String, Vec<Value>) {
    let mut next = first;
    let mut tuples = Vec::new();
    let mut values = Vec::new();
    for row in crate::padded(rows) {
        let marks: Vec<String> = row
            .into_iter()
            .map(|value| {
                values.push(value);
                next += 1;
                format!("${}", next - 1)
            })
            .collect();
        tuples.push(format!("({})", marks.join(", ")));
    }
    (tuples.join(", "), values)
}

#[cfg(test)]
mod tests {
    use super::values_list;
    use crate::batch::Value;

    #[test]
    fn a_values_list_repeats_its_last_row_up_to_a_power_of_two() {
        let rows = vec![
            vec![Value::from(1), Value::from("a")],
            vec![Value::from(2), Value::from("b")],
            vec![Value::from(3), Value::from("c")],
        ];
        let (list, values) = values_list(&rows, 4);
        assert_eq!(list, "($4, $5), ($6, $7), ($8, $9), ($10, $11)");
        assert_eq!(values.len(), 8);
        assert!(matches!(&values[7], Value::Text(Some(t)) if t == "c"));
    }
}
