//! `POST /v1/session-server` (spec B.4) and `DELETE /v1/session/{id}` (J-11).

use std::{net::IpAddr, time::Duration};

use axum::{extract::State, http::HeaderMap};
use provisio_core::{
    model::{DeviceGrant, DeviceId, DeviceKey, InstallationId, NewSession, SessionGrant, UserId},
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
        avatar,
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
/// `UserApiKey`; its first use activates the credential), or an OAuth grant's access token
/// (answered with `UserApiKey` too).
pub async fn create(
    State(state): State<AppState>,
    InstallationAuth(installation): InstallationAuth,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
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
    let opened = open_session(
        &state,
        (installation.installation.id, ip),
        &secret,
        &headers,
    )
    .await;
    if let (Err(_), Some(slot)) = (&opened, slot) {
        state.session_calls.give_back(&secret, slot);
    }
    opened
}

/// A session for `secret`: a partner's API key first, else a provision's credential.
/// The user is answered showing its avatar (and a `UserApiKey` its partner's), as `GET /user`.
async fn open_session(
    state: &AppState,
    (installation_id, ip): (InstallationId, IpAddr),
    secret: &SecretHash,
    headers: &HeaderMap,
) -> ApiResult {
    let (mut items, user, partner) = match state
        .auth
        .session_grant(state.store.as_ref(), installation_id, secret)
        .await
    {
        Ok(grant) => partner_session(state, installation_id, ip, &grant).await?,
        Err(DomainError::BadCredentials) => {
            user_session(state, installation_id, ip, secret).await?
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(item) = items.last_mut() {
        avatar::show_user(state, headers, user, item).await?;
        if let (Some(partner), Item::UserApiKey(key)) = (partner, item) {
            if let Some(shown) = avatar::of_user(state, headers, partner).await? {
                key.requested_by_user.show_avatar(shown);
            }
        }
    }
    Bunq::items(items)
}

/// A session's answer (`Id`, `Token`, the user), the user it shows and, for a `UserApiKey`,
/// the partner that requested it.
type Opened = (Vec<Item>, UserId, Option<UserId>);

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
) -> Result<Opened, ApiError> {
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
    Ok((
        vec![Item::Id(id), Item::Token(token), user],
        partner.id,
        None,
    ))
}

async fn user_session(
    state: &AppState,
    installation: InstallationId,
    ip: IpAddr,
    secret: &SecretHash,
) -> Result<Opened, ApiError> {
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
    if let (CredentialStatus::PendingFirstUse, DeviceKey::Credential(credential)) =
        (grant.status, grant.key)
    {
        let permitted_device =
            serde_json::json!({ "id": device.id.0, "ip": ip.to_string() }).to_string();
        if !state
            .store
            .use_credential(credential, &permitted_device, now)
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
    let items = vec![
        Item::Id(id),
        Item::Token(token),
        Item::UserApiKey(render::user_api_key(
            &grant.api_key_user,
            &grant.partner,
            &grant.granted,
        )),
    ];
    Ok((items, grant.granted.id, Some(grant.partner.id)))
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
