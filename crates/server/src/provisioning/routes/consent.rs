//! OAuth for users who already bank here (issue 19): bunq's token endpoint
//! (`api-oauth.sandbox.bunq.com/v1/token`, here `POST /v1/token`) and the operator's consent
//! without a browser and grants under `/_provisio/oauth`. The consent page itself is
//! `provisioning::ui::consent`.
//!
//! The token endpoint speaks RFC 6749, not bunq's envelope: its errors are
//! `{"error":"…","error_description":"…"}`, as bunq's OAuth host answers them.

use std::collections::HashMap;

use aws_lc_rs::constant_time::verify_slices_are_equal;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use provisio_core::{
    model::{OauthGrantId, UserId},
    provision::consent::{Exchanged, GrantFilter, OauthGrant},
    secret::{Secret, SecretHash},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    http::{
        error::ApiError,
        extract::{Admin, Json, PathId},
    },
    provisioning::consent,
    AppState,
};

/// `POST /_provisio/oauth/authorize`: the consent page's answer, given by the operator.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    #[serde(default)]
    pub state: String,
    /// The consenting user (a sandbox user or a provisioned user); needed to approve.
    #[serde(default)]
    pub user_id: Option<i64>,
    /// `false` denies (`error=access_denied`).
    pub approve: bool,
}

/// Where the consent page would send the browser.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizeAnswer {
    pub redirect_url: String,
}

/// A user's grant to a partner's OAuth client.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    pub id: i64,
    pub client_id: String,
    /// The client's partner (`requested_by_user`).
    pub partner_id: i64,
    /// The consenting user (`granted_by_user`).
    pub user_id: i64,
    /// The `UserApiKey` the access token's sessions act as.
    pub user_api_key_id: i64,
    /// ACTIVE or REVOKED.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantList {
    pub grants: Vec<GrantView>,
}

/// bunq's token answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenAnswer {
    pub access_token: String,
    pub token_type: String,
    pub state: String,
}

fn view(grant: OauthGrant) -> GrantView {
    GrantView {
        id: grant.id.0,
        client_id: grant.client_id,
        partner_id: grant.partner.0,
        user_id: grant.user.0,
        user_api_key_id: grant.api_key_user.0,
        status: grant.status.as_str().to_owned(),
    }
}

pub async fn authorize(
    State(state): State<AppState>,
    _: Admin,
    Json(body): Json<AuthorizeRequest>,
) -> Result<Response, ApiError> {
    let client = consent::client_for(&state, &body.client_id, &body.redirect_uri).await?;
    let user = match (body.approve, body.user_id) {
        (true, Some(id)) => Some(UserId(id)),
        (true, None) => return Err(ApiError::bad_request("Approving needs user_id.")),
        (false, _) => None,
    };
    let redirect_url =
        consent::decide(&state, &client, &body.redirect_uri, &body.state, user).await?;
    Ok(axum::Json(AuthorizeAnswer { redirect_url }).into_response())
}

/// `GET /_provisio/oauth/grants[?user_id=…]`: newest first.
pub async fn grants(
    State(state): State<AppState>,
    _: Admin,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let filter = match query.get("user_id") {
        Some(id) => GrantFilter::User(UserId(
            id.parse()
                .map_err(|_| ApiError::bad_request("user_id must be a user's id."))?,
        )),
        None => GrantFilter::All,
    };
    let grants = state.store.oauth_grants(filter).await?;
    Ok(axum::Json(GrantList {
        grants: grants.into_iter().map(view).collect(),
    })
    .into_response())
}

/// `POST /_provisio/oauth/grants/{id}/revoke`: the grant ends, its sessions answer 401 at once
/// and its device opens none.
pub async fn revoke(
    State(state): State<AppState>,
    _: Admin,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let grant = consent::revoke(&state, OauthGrantId(id)).await?;
    Ok(axum::Json(view(grant)).into_response())
}

/// An RFC 6749 (5.2) error.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `POST /v1/token?grant_type=authorization_code&code=…&redirect_uri=…&client_id=…&client_secret=…`:
/// no bunq signature or token, as on bunq's OAuth host.
pub async fn token(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| param(&query, name);
    let bad = StatusCode::BAD_REQUEST;
    match param("grant_type") {
        "authorization_code" => {}
        "" => return oauth_error(bad, "invalid_request", "grant_type is missing."),
        _ => {
            return oauth_error(
                bad,
                "unsupported_grant_type",
                "Only grant_type=authorization_code is supported.",
            )
        }
    }
    for name in ["code", "redirect_uri", "client_id", "client_secret"] {
        if param(name).is_empty() {
            return oauth_error(bad, "invalid_request", &format!("{name} is missing."));
        }
    }
    match exchange(&state, &query).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

fn param<'q>(query: &'q HashMap<String, String>, name: &str) -> &'q str {
    query.get(name).map(String::as_str).unwrap_or_default()
}

async fn exchange(state: &AppState, query: &HashMap<String, String>) -> Result<Response, ApiError> {
    let param = |name: &str| param(query, name);
    let client = state
        .store
        .oauth_client_by_client_id(param("client_id"))
        .await?;
    let client = match client {
        Some(client)
            if verify_slices_are_equal(
                client.secret.as_bytes(),
                param("client_secret").as_bytes(),
            )
            .is_ok() =>
        {
            client
        }
        _ => {
            return Ok(oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client_id and client_secret name no client here.",
            ))
        }
    };
    let access_token = Secret::generate("");
    let exchanged = state
        .store
        .exchange_oauth_code(
            &SecretHash::of(param("code")),
            client.id,
            param("redirect_uri"),
            &access_token.hash(),
            state.clock.now(),
        )
        .await?;
    Ok(match exchanged {
        Exchanged::Granted { state, .. } => axum::Json(TokenAnswer {
            access_token: access_token.expose().to_owned(),
            token_type: "bearer".to_owned(),
            state,
        })
        .into_response(),
        Exchanged::Refused(why) => oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why),
    })
}
