//! OAuth for users who already bank here (issue 19), the service the consent page, the
//! operator's `POST /_provisio/oauth/authorize` and the CLI share: which client and callback
//! may ask, who may consent, and where the browser goes next; and the end of a grant, which the
//! operator's `POST /_provisio/oauth/grants/{id}/revoke` and the user's page in the dashboard
//! (playing bunq's app, where a user disconnects an app) share. A refusal is an `ApiError`
//! (400) whose description the page shows as is.

use provisio_core::{
    model::{OauthGrantId, UserId},
    provision::{
        consent::{self, NewOauthCode, OauthGrant, CODE_LIFETIME},
        oauth::OauthClient,
    },
    secret::Secret,
};

use crate::{http::error::ApiError, AppState};

/// The client `client_id` names, if it is ACTIVE and `redirect_uri` is exactly one of its
/// callback URLs.
pub async fn client_for(
    state: &AppState,
    client_id: &str,
    redirect_uri: &str,
) -> Result<OauthClient, ApiError> {
    let client = state.store.oauth_client_by_client_id(client_id).await?;
    consent::check_request(client_id, client.as_ref(), redirect_uri)
        .map_err(ApiError::bad_request)?;
    client.ok_or_else(|| ApiError::bad_request("No such OAuth client."))
}

/// The user's answer: `Some(user)` approves as that user, `None` denies. Answers the URL the
/// browser is sent to: `redirect_uri` with `code` and `state`, or with
/// `error=access_denied` and `state`.
pub async fn decide(
    state: &AppState,
    client: &OauthClient,
    redirect_uri: &str,
    request_state: &str,
    approve_as: Option<UserId>,
) -> Result<String, ApiError> {
    let with_state = |mut params: Vec<(&'static str, String)>| {
        // RFC 6749 4.1.2: `state` goes back exactly when the request had one.
        if !request_state.is_empty() {
            params.push(("state", request_state.to_owned()));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        consent::redirect_to(redirect_uri, &params)
    };
    let Some(user) = approve_as else {
        return Ok(with_state(vec![("error", "access_denied".to_owned())]));
    };
    let may = state.store.consent_user(user).await?;
    if may.is_none() || user == client.user_id {
        return Err(ApiError::bad_request(format!(
            "User {user} may not consent here: it must be a sandbox user or a provisioned user \
             whose provision is not over, and not the client's own partner."
        )));
    }
    let code = Secret::generate("");
    let now = state.clock.now();
    state
        .store
        .create_oauth_code(
            &NewOauthCode {
                oauth_client_id: client.id,
                user,
                redirect_uri: redirect_uri.to_owned(),
                state: request_state.to_owned(),
                code: code.hash(),
                expires_at: now.plus(CODE_LIFETIME),
            },
            now,
        )
        .await?;
    Ok(with_state(vec![("code", code.expose().to_owned())]))
}

/// Ends the grant: its token opens nothing more, and its sessions answer 401 at once (the
/// store closes its `UserApiKey`; this process's session cache forgets it now, other
/// processes' within their cache's lifetime). The grant as it is after; revoking a revoked
/// grant changes nothing.
pub async fn revoke(state: &AppState, id: OauthGrantId) -> Result<OauthGrant, ApiError> {
    let grant = state
        .store
        .revoke_oauth_grant(id, state.clock.now())
        .await?
        .ok_or_else(|| ApiError::not_found("OAuth grant not found."))?;
    state.auth.revoke_user(grant.api_key_user);
    Ok(grant)
}
