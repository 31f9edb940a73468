//! `POST /v1/session-server` (spec B.4) and `DELETE /v1/session/{id}` (J-11).

use std::time::Duration;

use axum::extract::State;
use provisio_core::{
    model::NewSession,
    secret::{Secret, SecretHash},
    DomainError,
};
use provisio_wire::{objects::Id, requests::SessionServerRequest, Item};

use crate::{
    http::{
        extract::{ClientIp, InstallationAuth, SessionAuth, SignedJson},
        render,
        respond::{ApiResult, Bunq},
    },
    AppState,
};

/// Opens a session for a partner API key. The body must be signed with the installation's
/// key; the key must have a device on this installation that permits the caller's address.
pub async fn create(
    State(state): State<AppState>,
    InstallationAuth(installation): InstallationAuth,
    ClientIp(ip): ClientIp,
    SignedJson(body): SignedJson<SessionServerRequest>,
) -> ApiResult {
    let grant = state
        .auth
        .session_grant(
            state.store.as_ref(),
            installation.installation.id,
            &SecretHash::of(body.secret.trim()),
        )
        .await?;
    let device = grant.device.as_ref().ok_or(DomainError::BadCredentials)?;
    if state.config.ip_checks() && !device.permitted.permits(ip) {
        return Err(DomainError::BadCredentials.into());
    }
    let partner = &grant.partner;
    let now = state.clock.now();
    let timeout = u64::try_from(partner.session_timeout_secs).unwrap_or(0);
    let token = Secret::generate("");
    let session = state
        .store
        .create_session(
            &NewSession {
                installation_id: installation.installation.id,
                device_id: device.id,
                user_id: partner.id,
                now,
                expires_at: now.plus(Duration::from_secs(timeout)),
            },
            &token.hash(),
        )
        .await?;
    let id = session.id.0;
    Bunq::items(vec![
        Item::Id(Id { id }),
        Item::Token(render::token(
            id,
            session.created,
            session.updated,
            token.expose(),
        )),
        Item::UserCompany(render::user_company(partner)),
    ])
}

/// Ends the calling session, whatever id the path names: bunq's SDKs send `0`.
pub async fn delete(State(state): State<AppState>, auth: SessionAuth) -> ApiResult {
    state
        .store
        .delete_session(auth.session.context.session.id)
        .await?;
    state.auth.forget_session(&auth.token);
    Bunq::items(Vec::new())
}
