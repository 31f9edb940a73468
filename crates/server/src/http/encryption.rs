//! bunq's application-layer encryption (spec A.11) as a layer around the `/v1` routes.
//!
//! A request carrying `X-Bunq-Client-Encryption-Key`, `-Iv` and `-Hmac` is opened here with the
//! server's key, and the handler sees the plaintext as its body. The request signature covers
//! the ciphertext as sent (A.9), so the ciphertext stays in the request as [`WireBody`] for the
//! body extractors to verify against. A successful answer to such a request is sealed for the
//! caller's installation key and carries `X-Bunq-Server-Encryption-*`; the response signer, an
//! outer layer, then signs those exact wire bytes (A.10). Plaintext requests pass untouched (J-7).
//!
//! The answer is encrypted exactly when the request was (J-7) and the caller's key is known, so
//! refusals from the route (a 400 that quotes a field's value, a 404) are sealed too: they may
//! repeat what the client sent encrypted. What cannot be sealed goes back plain, as bunq's
//! clients expect (they decrypt only when all three server headers are present, A.3): this
//! layer's own refusals (before any key is trusted), refusals before the caller is known (401),
//! and a route that authenticates no installation (under `/v1` only `POST /installation`).
//!
//! Neither the plaintext nor the AES key is ever logged: this layer logs nothing, and while the
//! route runs (`error::DECRYPTED`) a refusal's text is kept out of the debug log and,
//! once sealed, out of the request log.

/// Marks a request whose body arrived encrypted (X-Bunq-Client-Encryption-*).
#[derive(Clone, Copy, Debug)]
pub struct ClientEncrypted;

use std::sync::{Arc, OnceLock};

use axum::{
    body::{to_bytes, Body},
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};
use provisio_core::{
    crypto::VerifyingKey,
    encryption::{self, OpenError, IV_LEN},
};
use provisio_wire::headers;

use super::{
    error::{ApiError, DECRYPTED},
    names,
    read::{read_limited, WireBody},
};
use crate::{config::Profile, request_log::Refusal, AppState};

/// Where the authentication extractor leaves the caller's installation key, so the answer can
/// be sealed for it.
#[derive(Clone, Default)]
pub(super) struct ReplyKey(Arc<OnceLock<Arc<VerifyingKey>>>);

impl ReplyKey {
    pub(super) fn set(&self, key: Arc<VerifyingKey>) {
        // One authentication per request; a second would name the same key.
        let _ = self.0.set(key);
    }
}

/// What the request log shows instead of a sealed refusal's text.
const WITHHELD: &str = "(an encrypted request's refusal: its text went to the client encrypted)";

/// The three request headers, in the order their absence is reported.
/// As `HeaderName`s, so that looking them up on every request does not parse their names.
static REQUEST_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static(headers::CLIENT_ENCRYPTION_KEY),
    HeaderName::from_static(headers::CLIENT_ENCRYPTION_IV),
    HeaderName::from_static(headers::CLIENT_ENCRYPTION_HMAC),
];

/// Our answers are small JSON documents built in memory.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Opens encrypted requests and seals the answers to them; leaves everything else alone.
pub async fn decrypt_and_seal(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let sealed = match SealedHeaders::read(&parts.headers) {
        Ok(Some(sealed)) => sealed,
        Ok(None) => return next.run(Request::from_parts(parts, body)).await,
        Err(refusal) => return refusal.into_response(),
    };
    // The largest plaintext we would take, and a block of padding (a block is an IV long).
    let limit = state.config.body_limit + IV_LEN;
    let ciphertext = match read_limited(body, &state, limit, "The encrypted request body").await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.into_response(),
    };
    let plaintext = match sealed.open(&state, &ciphertext) {
        Ok(plaintext) => plaintext,
        Err(refusal) => return refusal.into_response(),
    };
    // The body changed; what hyper was told about the wire body no longer holds.
    parts.headers.remove(header::TRANSFER_ENCODING);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(plaintext.len()));
    let reply_key = ReplyKey::default();
    parts.extensions.insert(ClientEncrypted);
    parts.extensions.insert(WireBody(ciphertext));
    parts.extensions.insert(reply_key.clone());
    let request = Request::from_parts(parts, Body::from(plaintext));
    let response = DECRYPTED.scope((), next.run(request)).await;
    let Some(key) = reply_key.0.get() else {
        return response;
    };
    let mut response = seal_response(response, key).await;
    if let Some(Refusal(reason)) = response.extensions_mut().get_mut::<Refusal>() {
        WITHHELD.clone_into(reason);
    }
    response
}

/// The decoded request headers.
struct SealedHeaders {
    wrapped_key: Vec<u8>,
    iv: Vec<u8>,
    hmac: Vec<u8>,
}

impl SealedHeaders {
    /// `None` when the request is not encrypted; a refusal when it is only partly, or when a
    /// header is not Base64.
    fn read(map: &HeaderMap) -> Result<Option<SealedHeaders>, ApiError> {
        let present = REQUEST_HEADERS.each_ref().map(|name| map.get(name));
        if present.iter().all(Option::is_none) {
            return Ok(None);
        }
        let mut decoded = Vec::with_capacity(REQUEST_HEADERS.len());
        for (name, value) in REQUEST_HEADERS.iter().zip(present) {
            let Some(value) = value else {
                return Err(ApiError::bad_request(format!(
                    "{} is missing: an encrypted request carries all three of \
                     X-Bunq-Client-Encryption-Key, X-Bunq-Client-Encryption-Iv and \
                     X-Bunq-Client-Encryption-Hmac.",
                    display_name(name.as_str())
                )));
            };
            let bytes = value
                .to_str()
                .ok()
                .and_then(|text| BASE64.decode(text.trim()).ok())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("{} is not Base64.", display_name(name.as_str())))
                })?;
            decoded.push(bytes);
        }
        let [wrapped_key, iv, hmac] = <[Vec<u8>; 3]>::try_from(decoded)
            .map_err(|_| ApiError::bad_request("The encryption headers could not be read."))?;
        Ok(Some(SealedHeaders {
            wrapped_key,
            iv,
            hmac,
        }))
    }

    fn open(&self, state: &AppState, ciphertext: &[u8]) -> Result<Vec<u8>, ApiError> {
        encryption::open(
            state.signer.key(),
            &self.wrapped_key,
            &self.iv,
            &self.hmac,
            ciphertext,
        )
        .map_err(|err| ApiError::bad_request(open_refusal(err, state.config.profile)))
    }
}

/// Why the body did not open. `strict` does not say whether the key failed to decrypt or the
/// HMAC failed to match: telling those apart is a padding oracle on the server's RSA key
/// (Bleichenbacher). `dev` says which, to help an integration find its mistake.
fn open_refusal(err: OpenError, profile: Profile) -> String {
    match err {
        OpenError::KeyNotUnwrapped | OpenError::HmacMismatch if profile == Profile::Strict => {
            "The request could not be decrypted: X-Bunq-Client-Encryption-Key does not decrypt \
             with the server's key, or X-Bunq-Client-Encryption-Hmac does not match."
                .to_owned()
        }
        OpenError::KeyNotUnwrapped => "X-Bunq-Client-Encryption-Key does not decrypt with the \
             server's key: encrypt a 32-byte AES key with the server public key of your \
             installation, RSA PKCS#1 v1.5."
            .to_owned(),
        OpenError::IvLength(len) => {
            format!("X-Bunq-Client-Encryption-Iv is {len} bytes; AES-256-CBC takes a 16-byte IV.")
        }
        OpenError::HmacMismatch => "X-Bunq-Client-Encryption-Hmac does not match: it is \
             HMAC-SHA1, keyed with the AES key, over the IV followed by the encrypted body as \
             sent."
            .to_owned(),
        OpenError::BadCiphertext => "The encrypted request body does not decrypt: it must be \
             AES-256-CBC with PKCS#7 padding, whole 16-byte blocks."
            .to_owned(),
    }
}

/// `x-bunq-client-encryption-iv` as bunq's documentation writes it.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// The same answer, its body sealed for `key` with the three server headers.
async fn seal_response(response: Response, key: &VerifyingKey) -> Response {
    let (mut parts, body) = response.into_parts();
    let plaintext = match to_bytes(body, MAX_RESPONSE_BYTES).await {
        Ok(bytes) => bytes,
        Err(err) => return ApiError::internal(err).into_response(),
    };
    let sealed = match encryption::seal(key, &plaintext) {
        Ok(sealed) => sealed,
        Err(err) => return ApiError::internal(err).into_response(),
    };
    let encoded = [
        (
            &names::SERVER_ENCRYPTION_KEY,
            BASE64.encode(&sealed.wrapped_key),
        ),
        (&names::SERVER_ENCRYPTION_IV, BASE64.encode(sealed.iv)),
        (&names::SERVER_ENCRYPTION_HMAC, BASE64.encode(&sealed.hmac)),
    ];
    for (name, value) in encoded {
        if let Ok(value) = HeaderValue::from_str(&value) {
            parts.headers.insert(name, value);
        }
    }
    // Not JSON on the wire any more; bunq's clients go by the headers above (and the response
    // signer leaves a non-JSON refusal alone when it carries them).
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(sealed.ciphertext))
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn header_names_read_as_in_bunqs_documentation() {
        assert_eq!(
            display_name("x-bunq-client-encryption-iv"),
            "X-Bunq-Client-Encryption-Iv"
        );
    }
}
