//! `POST /v1/session-server` (spec B.4) and `DELETE /v1/session/{id}` (J-11).

use std::{net::IpAddr, time::Duration};

use axum::extract::State;
use provisio_core::{
    model::{DeviceGrant, DeviceId, InstallationId, NewSession, SessionGrant, UserId},
    provision::CredentialStatus,
    secret::{Secret, SecretHash},
    DomainError,
};
use provisio_wire::render;
use provisio_wire::{
    objects::{AnyUser, Id, Token},
    requests::SessionServerRequest,
    Item,
};

use crate::{
    http::{
        error::ApiError,
        explain,
        extract::{ClientIp, InstallationAuth, SessionAuth, SignedJson},
        respond::{ApiResult, Bunq},
    },
    rate_limit, AppState,
};

/// Opens a session. The body must be signed with the installation's key; the secret must
/// have a device on this installation that permits the caller's address. The secret is a
/// partner API key (answered with `UserCompany`, or a sandbox person's `UserPerson`) or a provision credential (answered with
/// `UserApiKey`; its first use activates the credential).
pub async fn create(
    State(state): State<AppState>,
    InstallationAuth(installation): InstallationAuth,
    ClientIp(ip): ClientIp,
    SignedJson(body): SignedJson<SessionServerRequest>,
) -> ApiResult {
    let secret = SecretHash::of(body.secret.trim());
    // The key's one session per 30 seconds (J-12) is taken now, so that two attempts at once
    // cannot both have it, and given back when no session is opened: a refused attempt (a bad
    // key, no device, an address not permitted) must not lock the key out. A bad signature
    // never gets here.
    let slot = if state.config.rate_limits() {
        let Ok(slot) = state
            .session_calls
            .take(secret.clone(), rate_limit::SESSION)
        else {
            return Err(ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                rate_limit::SESSION.message(),
            ));
        };
        Some(slot)
    } else {
        None
    };
    let opened = open_session(&state, installation.installation.id, ip, &secret).await;
    if let (Err(_), Some(slot)) = (&opened, slot) {
        state.session_calls.give_back(&secret, slot);
    }
    opened
}

/// A session for `secret`: a partner's API key first, else a provision's credential.
async fn open_session(
    state: &AppState,
    installation_id: InstallationId,
    ip: IpAddr,
    secret: &SecretHash,
) -> ApiResult {
    match state
        .auth
        .session_grant(state.store.as_ref(), installation_id, secret)
        .await
    {
        Ok(grant) => partner_session(state, installation_id, ip, &grant).await,
        Err(DomainError::BadCredentials) => user_session(state, installation_id, ip, secret).await,
        Err(err) => Err(err.into()),
    }
}

/// The device registered for the key on this installation, if it permits `ip`.
fn usable_device<'g>(
    state: &AppState,
    device: Option<&'g DeviceGrant>,
    ip: IpAddr,
) -> Result<&'g DeviceGrant, ApiError> {
    let device = device.ok_or_else(|| {
        explain::refusal(state, DomainError::BadCredentials, || {
            explain::NO_DEVICE.to_owned()
        })
    })?;
    if state.config.ip_checks() && !device.permitted.permits(ip) {
        return Err(explain::refusal(state, DomainError::BadCredentials, || {
            explain::address(ip, &device.permitted)
        }));
    }
    Ok(device)
}

async fn partner_session(
    state: &AppState,
    installation: InstallationId,
    ip: IpAddr,
    grant: &SessionGrant,
) -> ApiResult {
    let device = usable_device(state, grant.device.as_ref(), ip)?;
    let partner = &grant.partner;
    let (id, token) = open(
        state,
        installation,
        device.id,
        partner.id,
        partner.session_timeout_secs,
    )
    .await?;
    // A sandbox user is answered as the person or company it was created as; only then is
    // there more to read.
    let sandbox = if grant.is_sandbox_user {
        state.store.sandbox_user(partner.id).await?
    } else {
        None
    };
    let user = match sandbox {
        Some(sandbox) => match render::sandbox_user(&sandbox) {
            AnyUser::UserPerson(p) => Item::UserPerson(p),
            AnyUser::UserCompany(c) => Item::UserCompany(c),
        },
        None => Item::UserCompany(render::user_company(partner)),
    };
    Bunq::items(vec![Item::Id(id), Item::Token(token), user])
}

async fn user_session(
    state: &AppState,
    installation: InstallationId,
    ip: IpAddr,
    secret: &SecretHash,
) -> ApiResult {
    let now = state.clock.now();
    let grant = match state.store.credential_grant(installation, secret).await? {
        Some(grant) if grant.usable(now) => grant,
        unusable => {
            return Err(explain::refusal(state, DomainError::BadCredentials, || {
                explain::credential(unusable.as_ref())
            }))
        }
    };
    let device = usable_device(state, grant.device.as_ref(), ip)?;
    if grant.status == CredentialStatus::PendingFirstUse {
        let permitted_device =
            serde_json::json!({ "id": device.id.0, "ip": ip.to_string() }).to_string();
        if !state
            .store
            .use_credential(grant.credential_id, &permitted_device, now)
            .await?
        {
            // Expired, reset or used by a racing request since it was read.
            return Err(DomainError::BadCredentials.into());
        }
        state.changed();
    }
    let timeout = grant.granted.session_timeout_secs;
    let (id, token) = open(
        state,
        installation,
        device.id,
        grant.api_key_user.id,
        timeout,
    )
    .await?;
    Bunq::items(vec![
        Item::Id(id),
        Item::Token(token),
        Item::UserApiKey(render::user_api_key(
            &grant.api_key_user,
            &grant.partner,
            &grant.granted,
        )),
    ])
}

async fn open(
    state: &AppState,
    installation: InstallationId,
    device: DeviceId,
    user: UserId,
    timeout_secs: i64,
) -> Result<(Id, Token), ApiError> {
    let now = state.clock.now();
    let timeout = u64::try_from(timeout_secs).unwrap_or(0);
    let token = Secret::generate("");
    let session = state
        .store
        .create_session(
            &NewSession {
                installation_id: installation,
                device_id: device,
                user_id: user,
                now,
                expires_at: now.plus(Duration::from_secs(timeout)),
            },
            &token.hash(),
        )
        .await?;
    let id = session.id.0;
    Ok((
        Id { id },
        render::token(id, session.created, session.updated, token.expose()),
    ))
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
