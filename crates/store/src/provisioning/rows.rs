//! Provisions as the database returns them (with their partner, user, credential and OAuth
//! client joined in) and their history, their conversion into domain records, and [`read`],
//! which reads one inside a transaction.

use provisio_core::{
    model::{CredentialId, OauthClientId, Partner, ProvisionId, ProvisionedUser, UserId},
    provision::{
        record::{Credential, HistoryEntry, OauthRequest, Provision},
        state::{Resume, Stored},
        ActionRequired, CredentialStatus, Product, Status, SubStatus, UserVerifiedType,
    },
    time::Timestamp,
    StoreError,
};

use sqlx::AnyConnection;

use crate::rows::{parse, user_kind};

/// A provision's stored state from its four columns.
pub(crate) fn stored(
    status: &str,
    sub_status: &str,
    action_required: &str,
    reset_resume: Option<&str>,
) -> Result<Stored, StoreError> {
    Ok(Stored {
        status: parse(Status::parse, status)?,
        sub_status: parse(SubStatus::parse, sub_status)?,
        action_required: parse(ActionRequired::parse, action_required)?,
        resume: reset_resume.map(|t| parse(Resume::parse, t)).transpose()?,
    })
}

/// The comma-separated `products` column.
pub(crate) fn products(text: &str) -> Result<Vec<Product>, StoreError> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parse(Product::parse, p))
        .collect()
}

/// What a provision's read joins to the provision `p` (see [`PROVISION_FROM`]).
macro_rules! provision_joins {
    () => {
        "JOIN users pr ON pr.id = p.partner_id \
         LEFT JOIN users u ON u.id = p.user_id \
         LEFT JOIN credentials c ON c.id = p.credential_id \
         LEFT JOIN oauth_clients oc ON oc.id = p.oauth_client_id"
    };
}

pub(super) const PROVISION_FROM: &str = concat!("provisions p ", provision_joins!());

/// [`PROVISION_FROM`] without its first table: a write that returns the provision's row
/// joins these to it (`chain`).
pub(super) const PROVISION_JOINS: &str = provision_joins!();

pub(super) const PROVISION_SELECT: &str = "p.id, p.partner_id, p.external_uuid, p.user_verified_type, \
    p.email, p.phone_number, p.products, p.director_provision_id, p.status, p.sub_status, \
    p.action_required, p.reset_resume, p.api_key_user_id, p.oauth_uuid, p.oauth_client_id, \
    p.oauth_callback_url, p.oauth_code, p.oauth_created, oc.client_id AS oauth_client_key, \
    p.created, p.updated, \
    pr.public_uuid AS pr_public_uuid, pr.name AS pr_name, pr.session_timeout AS pr_session_timeout, \
    pr.created AS pr_created, pr.updated AS pr_updated, \
    u.id AS u_id, u.public_uuid AS u_public_uuid, u.name AS u_name, u.kind AS u_kind, \
    u.session_timeout AS u_session_timeout, u.created AS u_created, u.updated AS u_updated, \
    c.id AS c_id, c.status AS c_status, c.expiry_time AS c_expiry_time, \
    c.token_value AS c_token_value, c.permitted_device AS c_permitted_device, \
    c.created AS c_created, c.updated AS c_updated";

#[derive(sqlx::FromRow)]
pub(crate) struct ProvisionRow {
    id: i64,
    partner_id: i64,
    external_uuid: String,
    user_verified_type: String,
    email: Option<String>,
    phone_number: Option<String>,
    products: String,
    director_provision_id: Option<i64>,
    status: String,
    sub_status: String,
    action_required: String,
    reset_resume: Option<String>,
    api_key_user_id: Option<i64>,
    oauth_uuid: Option<String>,
    oauth_client_id: Option<i64>,
    oauth_callback_url: Option<String>,
    oauth_code: Option<String>,
    oauth_created: Option<i64>,
    oauth_client_key: Option<String>,
    created: i64,
    updated: i64,
    pr_public_uuid: String,
    pr_name: String,
    pr_session_timeout: i64,
    pr_created: i64,
    pr_updated: i64,
    u_id: Option<i64>,
    u_public_uuid: Option<String>,
    u_name: Option<String>,
    u_kind: Option<String>,
    u_session_timeout: Option<i64>,
    u_created: Option<i64>,
    u_updated: Option<i64>,
    c_id: Option<i64>,
    c_status: Option<String>,
    c_expiry_time: Option<i64>,
    c_token_value: Option<String>,
    c_permitted_device: Option<String>,
    c_created: Option<i64>,
    c_updated: Option<i64>,
}

impl TryFrom<ProvisionRow> for Provision {
    type Error = StoreError;

    fn try_from(r: ProvisionRow) -> Result<Self, StoreError> {
        let products = products(&r.products)?;
        let state = stored(
            &r.status,
            &r.sub_status,
            &r.action_required,
            r.reset_resume.as_deref(),
        )?;
        let user = match (r.u_id, r.u_public_uuid, r.u_name, r.u_kind) {
            (Some(id), Some(public_uuid), Some(display_name), Some(kind)) => {
                Some(ProvisionedUser {
                    id: UserId(id),
                    public_uuid,
                    display_name,
                    kind: user_kind(&kind)?,
                    session_timeout_secs: r.u_session_timeout.unwrap_or_default(),
                    created: Timestamp(r.u_created.unwrap_or_default()),
                    updated: Timestamp(r.u_updated.unwrap_or_default()),
                })
            }
            _ => None,
        };
        let oauth_request = match (r.oauth_uuid, r.oauth_code, r.oauth_created) {
            (Some(uuid), Some(authorization_code), Some(created)) => Some(OauthRequest {
                uuid,
                oauth_client_id: r.oauth_client_id.map(OauthClientId),
                client_id: r.oauth_client_key,
                callback_url: r.oauth_callback_url,
                authorization_code,
                created: Timestamp(created),
            }),
            _ => None,
        };
        let credential = match (r.c_id, r.c_status, r.c_expiry_time) {
            (Some(id), Some(status), Some(expiry)) => Some(Credential {
                id: CredentialId(id),
                status: parse(CredentialStatus::parse, &status)?,
                expiry_time: Timestamp(expiry),
                token_value: r.c_token_value,
                permitted_device: r.c_permitted_device,
                created: Timestamp(r.c_created.unwrap_or_default()),
                updated: Timestamp(r.c_updated.unwrap_or_default()),
            }),
            _ => None,
        };
        Ok(Provision {
            id: ProvisionId(r.id),
            partner: Partner {
                id: UserId(r.partner_id),
                public_uuid: r.pr_public_uuid,
                name: r.pr_name,
                session_timeout_secs: r.pr_session_timeout,
                created: Timestamp(r.pr_created),
                updated: Timestamp(r.pr_updated),
            },
            external_uuid: r.external_uuid,
            user_verified_type: parse(UserVerifiedType::parse, &r.user_verified_type)?,
            email: r.email,
            phone_number: r.phone_number,
            products,
            director_provision_id: r.director_provision_id.map(ProvisionId),
            state,
            user,
            api_key_user_id: r.api_key_user_id.map(UserId),
            oauth_request,
            credential,
            created: Timestamp(r.created),
            updated: Timestamp(r.updated),
        })
    }
}

/// Reads one provision inside a transaction (so a write can answer with what it wrote).
pub(crate) async fn read(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<ProvisionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {PROVISION_SELECT} FROM {PROVISION_FROM} WHERE p.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[derive(sqlx::FromRow)]
pub(super) struct HistoryRow {
    at: i64,
    from_status: Option<String>,
    from_sub_status: Option<String>,
    to_status: String,
    to_sub_status: String,
    cause: String,
}

impl TryFrom<HistoryRow> for HistoryEntry {
    type Error = StoreError;

    fn try_from(r: HistoryRow) -> Result<Self, StoreError> {
        let from = match (r.from_status, r.from_sub_status) {
            (Some(s), Some(u)) => Some((parse(Status::parse, &s)?, parse(SubStatus::parse, &u)?)),
            _ => None,
        };
        Ok(HistoryEntry {
            at: Timestamp(r.at),
            from,
            to: (
                parse(Status::parse, &r.to_status)?,
                parse(SubStatus::parse, &r.to_sub_status)?,
            ),
            cause: r.cause,
        })
    }
}
