//! [`Idempotency`]: what makes a write's retry recognisable (`provisio_core::idempotency`).
//!
//! A handler whose write moves money takes it as an extractor and hands
//! `idempotency.key(&body)` to the store write, which claims the key in its own transaction.
//! Reading it costs a few header lookups; only a request that carries both a credential and
//! `X-Bunq-Client-Request-Id` gets a key, and nothing is hashed before the handler asks.

use std::convert::Infallible;

use axum::{
    extract::{FromRequestParts, OriginalUri},
    http::{header, request::Parts, HeaderMap},
};
use provisio_core::idempotency::IdempotencyKey;
use provisio_wire::headers;
use serde::Serialize;

/// The request's `X-Bunq-Client-Request-Id` with who sent it and where, when it has one.
pub struct Idempotency(Option<Request>);

/// Held only until hashed: the credential is a secret, so this has no `Debug`.
struct Request {
    /// The session token on bunq's routes, the `Authorization` value on the operator's.
    credential: String,
    request_id: String,
    method: String,
    path: String,
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl<S: Send + Sync> FromRequestParts<S> for Idempotency {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let headers = &parts.headers;
        let Some(request_id) = header(headers, headers::CLIENT_REQUEST_ID) else {
            return Ok(Idempotency(None));
        };
        let credential = header(headers, headers::CLIENT_AUTHENTICATION)
            .or_else(|| header(headers, header::AUTHORIZATION.as_str()));
        let Some(credential) = credential else {
            return Ok(Idempotency(None));
        };
        // The path as the client sent it, before any router nesting stripped a prefix.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path(), |OriginalUri(uri)| uri.path());
        Ok(Idempotency(Some(Request {
            credential: credential.to_owned(),
            request_id: request_id.to_owned(),
            method: parts.method.as_str().to_owned(),
            path: path.to_owned(),
        })))
    }
}

impl Idempotency {
    /// No request id: for callers that are not a request (the dashboard's buttons).
    pub const NONE: Idempotency = Idempotency(None);

    /// The key for this request with `body` (the body as read, written back canonically, so
    /// the same fields in another layout are the same body); `None` without a request id.
    pub fn key<B: Serialize>(&self, body: &B) -> Option<IdempotencyKey> {
        let request = self.0.as_ref()?;
        let body = serde_json::to_vec(body).unwrap_or_default();
        Some(IdempotencyKey::new(
            &request.credential,
            &request.request_id,
            &request.method,
            &request.path,
            &body,
        ))
    }
}
