//! The dashboard's session, entered with the admin token (see `login`), and the guards every
//! page and form uses.
//!
//! The session cookie is `NONCE.MAC`: the nonce is random, the MAC an HMAC keyed with the
//! admin token's hash (a new admin token ends every session, and a forged cookie is refused
//! without a look at the database). The session itself is kept server-side (the store's
//! `dashboard_sessions`, by the nonce's hash, so every process of a deployment and a restart
//! know it): signing out ends it, and it runs out after `DashboardConfig`'s idle time or
//! lifetime, on the sandbox clock. The cookie is `HttpOnly` and `SameSite=Strict`. Forms carry
//! a second MAC of the same nonce (the form token), and a POST must also come from this origin
//! (`Origin`, else `Referer`): a page elsewhere can neither read the token nor send the cookie.

use std::collections::HashMap;

use aws_lc_rs::{constant_time::verify_slices_are_equal, hmac};
use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use provisio_core::{secret::SecretHash, store::DashboardSessionLimits, time::Timestamp};

use crate::{http::error::ApiError, AppState};

pub(super) const SESSION_COOKIE: &str = "provisio_ui";
const FLASH_COOKIE: &str = "provisio_ui_flash";
pub(super) const COOKIE_ATTRIBUTES: &str = "Path=/_provisio/ui; HttpOnly; SameSite=Strict";

/// A logged-in operator. `form_token` goes into every form this operator is shown.
pub struct Operator {
    pub form_token: String,
    /// provisio's "now" (the sandbox's virtual clock) when the request came: every page shows
    /// it beside the controls that move it.
    pub now: Timestamp,
    /// The hash of the session's token, as stored.
    pub(super) session: SecretHash,
}

/// Starts a dashboard session at provisio's now and answers its cookie (`Set-Cookie`).
pub(super) async fn start(state: &AppState, admin: &SecretHash) -> Result<HeaderValue, ApiError> {
    // 32 random bytes: the session's token, stored only as its hash.
    let nonce = provisio_core::secret::Secret::generate("")
        .expose()
        .to_owned();
    state
        .store
        .start_dashboard_session(
            SecretHash::of(&nonce).as_str(),
            state.clock.now(),
            limits(state),
        )
        .await?;
    let value = format!(
        "{SESSION_COOKIE}={nonce}.{}; {COOKIE_ATTRIBUTES}",
        mac(admin, "session", &nonce)
    );
    HeaderValue::from_str(&value).map_err(ApiError::internal)
}

/// A new session in place of the operator's, begun at provisio's now. The dashboard's own
/// clock buttons call it: sessions run out on the sandbox clock, and the operator who moved
/// the clock forward a day must not be signed out by it.
pub async fn renew(state: &AppState, posted: &Posted) -> Result<HeaderValue, ApiError> {
    let admin = admin_of(state)?;
    state
        .store
        .end_dashboard_session(posted.operator.session.as_str())
        .await?;
    start(state, admin).await
}

/// The store's limits for dashboard sessions, from the configuration.
pub(super) fn limits(state: &AppState) -> DashboardSessionLimits {
    let micros = |d: std::time::Duration| i64::try_from(d.as_micros()).unwrap_or(i64::MAX);
    let idle = micros(state.config.dashboard.idle);
    DashboardSessionLimits {
        idle,
        lifetime: micros(state.config.dashboard.lifetime),
        // Often enough that the idle time is kept to within a tenth of it.
        touch_every: (idle / 10).min(60_000_000),
    }
}

pub(super) fn mac(admin: &SecretHash, purpose: &str, nonce: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, admin.as_str().as_bytes());
    hex::encode(hmac::sign(&key, format!("{purpose}:{nonce}").as_bytes()).as_ref())
}

pub(super) fn same(a: &str, b: &str) -> bool {
    verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The dashboard is absent where the operator API is: the same 404 as any unknown route.
pub(super) fn admin_of(state: &AppState) -> Result<&SecretHash, ApiError> {
    state
        .admin
        .as_ref()
        .ok_or_else(|| ApiError::not_found("The requested route does not exist."))
}

impl FromRequestParts<AppState> for Operator {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let admin = admin_of(state).map_err(IntoResponse::into_response)?;
        let signed_out = || Redirect::to("/_provisio/ui/login").into_response();
        let session = cookie(&parts.headers, SESSION_COOKIE).and_then(|v| v.split_once('.'));
        let Some((nonce, given)) = session else {
            return Err(signed_out());
        };
        if !same(given, &mac(admin, "session", nonce)) {
            return Err(signed_out());
        }
        let hash = SecretHash::of(nonce);
        let live = state
            .store
            .dashboard_session_live(hash.as_str(), state.clock.now(), limits(state))
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        if !live {
            return Err(signed_out());
        }
        Ok(Operator {
            form_token: mac(admin, "form", nonce),
            now: state.clock.now(),
            session: hash,
        })
    }
}

/// A POST from a dashboard form: a logged-in operator, from this origin, with the form token.
/// `fields` are the form's other fields.
pub struct Posted {
    pub fields: HashMap<String, String>,
    pub(super) operator: Operator,
}

impl Posted {
    /// The signed-in operator who posted (a form that answers with a page renders with it).
    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

pub(super) fn forbidden(why: &str) -> Response {
    ApiError::new(StatusCode::FORBIDDEN, why).into_response()
}

/// True when `Origin` (or, without it, `Referer`) names this server.
pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = |origin: &str| {
        origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .is_some_and(|rest| rest == host || rest.starts_with(&format!("{host}/")))
    };
    let value = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    match (value(header::ORIGIN), value(header::REFERER)) {
        (Some(origin), _) => ours(origin),
        (None, Some(referer)) => ours(referer),
        (None, None) => false,
    }
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let operator = Operator::from_request_parts(&mut parts, state).await?;
        if !same_origin(&parts.headers) {
            return Err(forbidden(
                "A dashboard form must be sent from the dashboard (Origin or Referer of this server).",
            ));
        }
        let request = Request::from_parts(parts, body);
        let Form(mut fields) = Form::<HashMap<String, String>>::from_request(request, state)
            .await
            .map_err(|_| ApiError::bad_request("The form could not be read.").into_response())?;
        let token = fields.remove("form_token").unwrap_or_default();
        if !same(&token, &operator.form_token) {
            return Err(forbidden(
                "The form token is missing or stale; reload the page and try again.",
            ));
        }
        Ok(Posted { fields, operator })
    }
}

/// A one-time message for the next page: an operator action's result or refusal.
pub struct Flash {
    pub ok: bool,
    pub text: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let decoded = cookie(&parts.headers, FLASH_COOKIE)
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok());
        Ok(match decoded.as_deref().and_then(|v| v.split_once(':')) {
            Some((kind, text)) => Flash {
                ok: kind == "ok",
                text: text.chars().take(1000).collect(),
            },
            None => Flash {
                ok: true,
                text: String::new(),
            },
        })
    }
}

impl Flash {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Redirects to `to`, where this message is shown once.
    pub fn redirect(ok: bool, text: &str, to: &str) -> Response {
        let kind = if ok { "ok" } else { "error" };
        let text: String = text.chars().take(1000).collect();
        let value = URL_SAFE_NO_PAD.encode(format!("{kind}:{text}"));
        let mut response = Redirect::to(to).into_response();
        if let Ok(value) =
            HeaderValue::from_str(&format!("{FLASH_COOKIE}={value}; {COOKIE_ATTRIBUTES}"))
        {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    }

    /// The header that removes a shown message.
    pub fn clear() -> HeaderValue {
        HeaderValue::from_static(
            "provisio_ui_flash=; Path=/_provisio/ui; HttpOnly; SameSite=Strict; Max-Age=0",
        )
    }
}
