//! The outermost layer: every response leaves here in bunq's envelope, carrying
//! `X-Bunq-Server-Signature` over its exact body, the echoed `X-Bunq-Client-Request-Id` and a
//! fresh `X-Bunq-Client-Response-Id`.
//!
//! Answers under `/_provisio` (the operator API, the dashboard) are the exception: they are
//! provisio's own, the admin token guards them, and no bunq client reads them, so they carry no
//! signature. An RSA-2048 signature costs about a millisecond of a core on a small machine,
//! which would double the cost of a simulated card payment for nothing anyone checks.

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    error::{envelope_response, ApiError},
    limits, names,
};
use crate::{
    request_log::{Kept, Notes},
    AppState,
};

/// Our handlers build small JSON bodies in memory; anything larger is a bug, not a stream.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

pub async fn sign_responses(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let request_id = request.headers().get(&names::CLIENT_REQUEST_ID).cloned();
    let signed = !is_operator(request.uri().path());
    let notes = request.extensions().get::<Notes>().cloned();
    // Before routing: a request too large to be honest is refused here, in the envelope.
    let response = match limits::oversized(&request) {
        Some(refusal) => refusal.into_response(),
        None => next.run(request).await,
    };
    let response = ensure_envelope(response);
    let (mut parts, body) = response.into_parts();
    if !signed {
        identify(&mut parts.headers, request_id);
        return Response::from_parts(parts, body);
    }
    let bytes = match to_bytes(body, MAX_RESPONSE_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => return sign_error(&state, ApiError::internal(err)),
    };
    let signature = match state.signer.sign(&bytes) {
        Ok(signature) => signature,
        Err(err) => {
            // Without a signature a bunq client would reject the answer anyway; say why.
            tracing::error!(error = %err, "cannot sign response");
            return envelope_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Cannot sign the response.",
            );
        }
    };
    if let Ok(value) = HeaderValue::from_str(&signature) {
        parts.headers.insert(&names::SERVER_SIGNATURE, value);
    }
    identify(&mut parts.headers, request_id);
    if let Some(notes) = notes {
        // The bytes as sent, for the request log: a reference, not a copy.
        notes.answered(
            if parts.headers.contains_key(&names::SERVER_ENCRYPTION_KEY) {
                Some(Kept::encrypted(bytes.len()))
            } else {
                Kept::of(&bytes, parts.headers.get(header::CONTENT_TYPE))
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The operator API and the dashboard: `/_provisio` and below.
fn is_operator(path: &str) -> bool {
    path.strip_prefix("/_provisio")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The echoed `X-Bunq-Client-Request-Id` and a fresh `X-Bunq-Client-Response-Id`.
fn identify(h: &mut HeaderMap, request_id: Option<HeaderValue>) {
    if let Some(id) = request_id {
        h.insert(&names::CLIENT_REQUEST_ID, id);
    }
    if let Some(id) = response_id() {
        h.insert(&names::CLIENT_RESPONSE_ID, id);
    }
}

/// A fresh UUID v4 as a header value (`ids::fresh_uuid`: no system call for it).
fn response_id() -> Option<HeaderValue> {
    let id = provisio_core::ids::fresh_uuid();
    let mut text = uuid::Uuid::encode_buffer();
    HeaderValue::from_str(id.hyphenated().encode_lower(&mut text)).ok()
}

fn sign_error(state: &AppState, err: ApiError) -> Response {
    let response = err.into_response();
    let (mut parts, _) = response.into_parts();
    let body = serde_json::to_vec(&provisio_wire::ErrorEnvelope::single(
        "An internal error occurred. Please try again later.",
    ))
    .unwrap_or_default();
    if let Ok(signature) = state.signer.sign(&body) {
        if let Ok(value) = HeaderValue::from_str(&signature) {
            parts.headers.insert(&names::SERVER_SIGNATURE, value);
        }
    }
    Response::from_parts(parts, Body::from(body))
}

/// A safety net: an error response that is not JSON (nor an encrypted refusal) came from the
/// framework or a layer, not from `ApiError`. Replace it with the envelope so clients that
/// parse every body never choke. The dashboard's pages (HTML) and redirects are its own, and
/// pass.
fn ensure_envelope(response: Response) -> Response {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_json = content_type.starts_with("application/json");
    let is_page = content_type.starts_with("text/html");
    let sealed = response
        .headers()
        .contains_key(&names::SERVER_ENCRYPTION_KEY);
    if status.is_success() || status.is_redirection() || is_json || is_page || sealed {
        return response;
    }
    let description = match status {
        StatusCode::NOT_FOUND => "The requested route does not exist.",
        StatusCode::METHOD_NOT_ALLOWED => "This method is not allowed on this route.",
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.",
        s if s.is_client_error() => "The request could not be processed.",
        _ => "An internal error occurred. Please try again later.",
    };
    let status = match status {
        // bunq has no 413 or 415; a bad body is a bad request.
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            StatusCode::BAD_REQUEST
        }
        s => s,
    };
    envelope_response(status, description)
}

/// bunq's classic per-address limits on `/v1`. The router adds this layer only where they
/// apply (`ServerConfig::rate_limits`, the strict profile). Session creation is limited in its
/// handler instead, per secret (J-12).
pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    use crate::rate_limit::{GET, POST, PUT};
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned());
    // HEAD is a GET without the body (axum answers it with the GET handler): it counts as one,
    // in the same window, or it would be a way around the GET limit.
    let method = match request.method() {
        &axum::http::Method::HEAD => axum::http::Method::GET,
        other => other.clone(),
    };
    let limit = match method {
        axum::http::Method::GET => Some(GET),
        axum::http::Method::POST => Some(POST),
        axum::http::Method::PUT => Some(PUT),
        _ => None,
    };
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| provisio_core::ip::canonical(c.0.ip()));
    if let (Some(route), Some(limit), Some(ip)) = (route, limit, ip) {
        if route != "/v1/session-server" && !state.calls.allow((ip, method, route), limit) {
            return ApiError::new(StatusCode::TOO_MANY_REQUESTS, limit.message()).into_response();
        }
    }
    next.run(request).await
}
