//! Extractors: who is calling (installation or session token, the operator's admin token,
//! source address) and what they sent (a JSON body whose signature is checked against the caller's installation key).
//!
//! Every rejection is an [`ApiError`], so a bad header or body gets bunq's envelope like any
//! other refusal. Handlers list the authentication extractor first: it records the caller's
//! key in the request extensions, where the body extractor finds it.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request},
    http::{header, request::Parts, HeaderMap, StatusCode},
};
use provisio_core::{crypto::VerifyingKey, ip::canonical, secret::SecretHash, DomainError};
use serde::{de::DeserializeOwned, Serialize};

use super::{
    body::{read_json, read_optional_json},
    encryption::ReplyKey,
    error::ApiError,
    explain, names,
    read::{signed_bytes, CallerKey},
};
use crate::{
    auth::{AuthedInstallation, AuthedSession},
    request_log::Notes,
    AppState,
};

/// The address the request came from.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(ClientIp(client_ip(parts)))
    }
}

fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| canonical(addr.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn auth_token(state: &AppState, headers: &HeaderMap) -> Result<SecretHash, ApiError> {
    headers
        .get(&names::CLIENT_AUTHENTICATION)
        .and_then(|v| v.to_str().ok())
        .map(|token| SecretHash::of(token.trim()))
        .ok_or_else(|| {
            explain::refusal(state, DomainError::Unauthorised, || {
                explain::MISSING_TOKEN.to_owned()
            })
        })
}

/// Records the caller's installation key: for the body's signature, and for sealing the answer
/// when the request came encrypted.
fn remember_caller_key(parts: &mut Parts, key: &Arc<VerifyingKey>) {
    if let Some(reply) = parts.extensions.get::<ReplyKey>() {
        reply.set(key.clone());
    }
    parts.extensions.insert(CallerKey(key.clone()));
}

/// A request authenticated with an installation token (`POST /device-server`,
/// `POST /session-server`).
pub struct InstallationAuth(pub Arc<AuthedInstallation>);

impl FromRequestParts<AppState> for InstallationAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = auth_token(state, &parts.headers)?;
        let installation = match state.auth.installation(state.store.as_ref(), &token).await {
            Ok(installation) => installation,
            Err(DomainError::Unauthorised) => {
                return Err(explain::refuse_installation_token(state, &token).await)
            }
            Err(err) => return Err(err.into()),
        };
        remember_caller_key(parts, &installation.key);
        Ok(InstallationAuth(installation))
    }
}

/// A request authenticated with a live session token, from an address its device permits.
pub struct SessionAuth {
    pub session: Arc<AuthedSession>,
    pub token: SecretHash,
}

impl FromRequestParts<AppState> for SessionAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = auth_token(state, &parts.headers)?;
        let session = match state
            .auth
            .session(state.store.as_ref(), state.clock.as_ref(), &token)
            .await
        {
            Ok(session) => session,
            Err(DomainError::Unauthorised) => {
                return Err(explain::refuse_session_token(state, &token).await)
            }
            Err(err) => return Err(err.into()),
        };
        // J-32: after the session exists, a foreign address is an authorisation failure.
        let ip = client_ip(parts);
        if state.config.ip_checks() && !session.context.permitted.permits(ip) {
            return Err(explain::refusal(state, DomainError::Unauthorised, || {
                explain::address(ip, &session.context.permitted)
            }));
        }
        if let Some(slot) = parts.extensions.get::<Notes>() {
            slot.set_principal(session.context.principal, session.context.session.user_id);
        }
        remember_caller_key(parts, &session.key);
        Ok(SessionAuth { session, token })
    }
}

/// `Authorization: Bearer <admin token>` (the scheme in any case).
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(expected) = &state.admin else {
            return Err(ApiError::not_found("The requested route does not exist."));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim_start().split_once(' '))
            // RFC 7235: the scheme is case-insensitive; the token is compared as sent.
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Bearer"))
            .map(|(_, token)| SecretHash::of(token.trim()));
        if given.as_ref() == Some(expected) {
            Ok(Admin)
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "The operator API needs Authorization: Bearer <admin token> (printed at start).",
            ))
        }
    }
}

/// A route of the dev profile only (the webhook sink, injected faults). Taken before [`Admin`],
/// so a strict server answers 404 whoever asks, as for a route that does not exist.
pub struct DevOnly;

impl FromRequestParts<AppState> for DevOnly {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.config.profile == crate::config::Profile::Dev {
            Ok(DevOnly)
        } else {
            Err(ApiError::not_found("The requested route does not exist."))
        }
    }
}

/// A JSON body. Its `X-Bunq-Client-Signature` is verified when sent.
pub struct Json<T>(pub T);

/// A JSON body that must carry a valid `X-Bunq-Client-Signature` (466 when missing).
pub struct SignedJson<T>(pub T);

impl<T: DeserializeOwned + Serialize> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_json(req, state, false).await.map(Json)
    }
}

impl<T: DeserializeOwned + Serialize> FromRequest<AppState> for SignedJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_json(req, state, true).await.map(SignedJson)
    }
}

/// A JSON body that may also be empty (`T::default()`), as bunq's clients send to the PAN and
/// CVC2 routes; when not empty, it passes the same check as [`Json`]. Its signature is
/// verified when sent.
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Serialize + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        read_optional_json(req, state).await.map(OptionalJson)
    }
}

/// A raw body (an attachment's bytes) of at most `limit` bytes, with its declared type. Its
/// `X-Bunq-Client-Signature`, over exactly these bytes, is verified when sent.
pub struct RawBody {
    pub bytes: axum::body::Bytes,
    pub content_type: Option<String>,
    pub headers: HeaderMap,
}

impl FromRequest<AppState> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let limit = state.config.onboarding.attachment_limit;
        let bytes = signed_bytes(&parts, body, state, limit, "The attachment", false).await?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(RawBody {
            bytes,
            content_type,
            headers: parts.headers,
        })
    }
}
/// A raw body whose `X-Bunq-Client-Signature` is required (466 without it), as bunq requires
/// of a public attachment: the same limit and checks as [`RawBody`] otherwise.
pub struct SignedRawBody(pub RawBody);

impl FromRequest<AppState> for SignedRawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let limit = state.config.onboarding.attachment_limit;
        let bytes = signed_bytes(&parts, body, state, limit, "The attachment", true).await?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(SignedRawBody(RawBody {
            bytes,
            content_type,
            headers: parts.headers,
        }))
    }
}

/// A positive integer id in the path: the route's `{id}`, or its only parameter. Anything else
/// (`NaN`, `-1`, `abc`) names nothing: 404.
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let not_found = || ApiError::not_found("The requested object was not found.");
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| not_found())?;
        let raw = match params.get("id") {
            Some(raw) => raw,
            None if params.len() == 1 => params.values().next().ok_or_else(not_found)?,
            None => return Err(not_found()),
        };
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(PathId)
            .ok_or_else(not_found)
    }
}
