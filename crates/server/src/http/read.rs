//! A request body's bytes: read within a size limit and the request timeout
//! (`read_limited`), and checked against `X-Bunq-Client-Signature` over exactly the bytes sent
//! (`signed_bytes`, which also leaves them for the request log). What the check needs arrives in the request's extensions: the ciphertext
//! of an encrypted request (`WireBody`, left by `encryption`) and the caller's installation key
//! (`CallerKey`, left by the authentication extractors in `extract`).

use std::sync::Arc;

use axum::{
    body::{Bytes, HttpBody},
    http::{request::Parts, StatusCode},
};
use provisio_core::{crypto::VerifyingKey, DomainError};
use provisio_wire::headers;

use super::{error::ApiError, explain};
use crate::{
    request_log::{Kept, Notes},
    AppState,
};

/// The body of an encrypted request as it was sent: what `X-Bunq-Client-Signature` covers.
#[derive(Clone, Debug)]
pub(super) struct WireBody(pub Bytes);

/// The key that signs this caller's request bodies.
#[derive(Clone)]
pub(super) struct CallerKey(pub Arc<VerifyingKey>);

/// Reads a body of at most `limit` bytes (see `read_limited`) and verifies its
/// `X-Bunq-Client-Signature` over exactly the bytes sent: when sent, or always if `required`.
pub(super) async fn signed_bytes(
    parts: &Parts,
    body: axum::body::Body,
    state: &AppState,
    limit: usize,
    what: &str,
    required: bool,
) -> Result<axum::body::Bytes, ApiError> {
    let bytes = read_limited(body, state, limit, what).await?;
    if let Some(notes) = parts.extensions.get::<Notes>() {
        // An encrypted request's plaintext stays out of the log, as its refusals do.
        notes.read(match parts.extensions.get::<WireBody>() {
            Some(WireBody(ciphertext)) => Some(Kept::encrypted(ciphertext.len())),
            None => Kept::of(&bytes, parts.headers.get(axum::http::header::CONTENT_TYPE)),
        });
    }
    let signature = parts
        .headers
        .get(headers::CLIENT_SIGNATURE)
        .map(|v| v.to_str().unwrap_or_default());
    // An encrypted request is signed over its ciphertext as sent (A.9), not over the plaintext
    // the handler reads.
    let wire = parts.extensions.get::<WireBody>();
    let signed = wire.map_or(&bytes, |WireBody(ciphertext)| ciphertext);
    match (signature, parts.extensions.get::<CallerKey>()) {
        (Some(signature), Some(CallerKey(key))) => {
            if let Err(err) = key.verify(signed, signature) {
                return Err(explain::refusal(
                    state,
                    DomainError::SignatureInvalid,
                    || match wire {
                        Some(_) if key.verify(&bytes, signature).is_ok() => {
                            explain::SIGNED_PLAINTEXT.to_owned()
                        }
                        _ => explain::signature(key, signed, signature, err),
                    },
                ));
            }
        }
        (None, _) if required => return Err(DomainError::SignatureRequired.into()),
        _ => {}
    }
    Ok(bytes)
}

/// Reads a body of at most `limit` bytes within the configured request timeout; `what` names
/// it in the refusal.
pub(super) async fn read_limited(
    body: axum::body::Body,
    state: &AppState,
    limit: usize,
    what: &str,
) -> Result<axum::body::Bytes, ApiError> {
    // 413, as HTTP names it: the body's size, not its content, is what is refused.
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{what} is too large; at most {limit} bytes are accepted."),
        )
    };
    // A declared Content-Length over the limit is refused before reading: waiting for a body
    // that will be refused anyway would hold the client until the timeout.
    if HttpBody::size_hint(&body).lower() > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(too_large());
    }
    // A client that announces more than it sends would otherwise hold the connection forever.
    let read = axum::body::to_bytes(body, limit);
    match tokio::time::timeout(state.config.request_timeout, read).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) => Err(if is_too_large(err) {
            too_large()
        } else {
            ApiError::bad_request(format!("{what} could not be read."))
        }),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("{what} did not arrive in time."),
        )),
    }
}

fn is_too_large(err: axum::Error) -> bool {
    err.into_inner()
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some()
}
