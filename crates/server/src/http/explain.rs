//! The sandbox's debugger for refused signatures, tokens and credentials (`dev` profile).
//!
//! bunq refuses a bad signature, token or key with one fixed sentence, and an integration that
//! signs the wrong bytes or sends the wrong token learns nothing from it. In `dev`, provisio
//! appends what it saw to that sentence, in the `error_description` every bunq client already
//! shows: the length and SHA-256 of the bytes it verified, the fingerprint of the key it used,
//! which near miss would have matched, which kind of token it got, when a session expired,
//! which address it saw and which the device permits. `strict` keeps bunq's words alone.
//!
//! Nothing secret is shown: hashes and lengths of what the client sent, the fingerprint of the
//! client's own public key, timestamps and addresses. The extra reads happen only on a refusal.

use std::net::IpAddr;

use aws_lc_rs::digest;
use provisio_core::{
    crypto::{CryptoError, VerifyingKey},
    ip::IpPolicy,
    model::CredentialGrant,
    secret::SecretHash,
    time::Timestamp,
    DomainError,
};

use super::error::ApiError;
use crate::{config::Profile, AppState};

/// `err` as bunq words it, followed in `dev` by `detail()`.
pub fn refusal(state: &AppState, err: DomainError, detail: impl FnOnce() -> String) -> ApiError {
    let api = ApiError::from(err);
    if !dev(state) {
        return api;
    }
    let detail = detail();
    api.map_description(|text| format!("{text} (provisio dev profile: {detail})"))
}

fn dev(state: &AppState) -> bool {
    state.config.profile == Profile::Dev
}

/// A token that is no live session, explained in `dev`.
pub async fn refuse_session_token(state: &AppState, token: &SecretHash) -> ApiError {
    if !dev(state) {
        return DomainError::Unauthorised.into();
    }
    let detail = session_token(state, token).await;
    refusal(state, DomainError::Unauthorised, || detail)
}

/// A token that is no installation token, explained in `dev`.
pub async fn refuse_installation_token(state: &AppState, token: &SecretHash) -> ApiError {
    if !dev(state) {
        return DomainError::Unauthorised.into();
    }
    let detail = installation_token(state, token).await;
    refusal(state, DomainError::Unauthorised, || detail)
}

pub const MISSING_TOKEN: &str = "no X-Bunq-Client-Authentication header was sent.";

pub const SIGNED_PLAINTEXT: &str = "it matches the decrypted body, but an encrypted request is \
    signed over its ciphertext as sent.";

/// Why a signature over `body` did not verify with `key`.
pub fn signature(key: &VerifyingKey, body: &[u8], signature: &str, err: CryptoError) -> String {
    if matches!(err, CryptoError::SignatureNotBase64) {
        return "X-Bunq-Client-Signature is not Base64.".to_owned();
    }
    let checked = format!(
        "the signature was checked over the {}-byte body with SHA-256 {} against the key this \
         installation registered (SHA-256 of its DER: {})",
        body.len(),
        hex(digest::digest(&digest::SHA256, body).as_ref()),
        key.fingerprint(),
    );
    let verifies = |candidate: &[u8]| candidate != body && key.verify(candidate, signature).is_ok();
    let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
    let near_miss = if verifies(&[body, b"\n"].concat()) {
        "it matches the body followed by a newline: sign exactly the bytes you send"
    } else if verifies(body.trim_ascii_end()) {
        "it matches the body without its trailing whitespace: sign exactly the bytes you send"
    } else if is_json && verifies(&respaced(body, b",", b":")) {
        "it matches this JSON without spaces (as JSON.stringify writes it), not the bytes \
         sent: sign the body after serialising it, and send those very bytes"
    } else if is_json && verifies(&respaced(body, b", ", b": ")) {
        "it matches this JSON with a space after each comma and colon (as Python's json.dumps \
         writes it), not the bytes sent: sign the body after serialising it, and send those \
         very bytes"
    } else {
        "it matches neither the body with a trailing newline, nor without trailing whitespace, \
         nor the same JSON spaced differently: was it made with another installation's key, or \
         over other bytes?"
    };
    format!("{checked}; {near_miss}.")
}

/// The JSON `body` with the whitespace between its tokens removed and `comma` and `colon` as
/// separators: the same document as another serialiser writes it, keys in the same order.
fn respaced(body: &[u8], comma: &[u8], colon: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 4);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            out.push(byte);
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                out.push(byte);
            }
            b',' => out.extend_from_slice(comma),
            b':' => out.extend_from_slice(colon),
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => out.push(byte),
        }
    }
    out
}

/// Why a token is not a live session: an installation token, an expired session, or unknown.
async fn session_token(state: &AppState, token: &SecretHash) -> String {
    let store = state.store.as_ref();
    if let Ok(Some(context)) = store.session_by_token(token).await {
        let expired = context.session.expires_at;
        if expired <= state.clock.now() {
            return format!(
                "this session expired at {} UTC; open a new one with POST /v1/session-server.",
                timestamp(expired)
            );
        }
    }
    if let Ok(Some(_)) = store.installation_by_token(token).await {
        return "this is an installation token; this call needs a session token, which POST \
                /v1/session-server answers."
            .to_owned();
    }
    UNKNOWN_TOKEN.to_owned()
}

/// Why a token is not an installation token: a session token, or unknown.
async fn installation_token(state: &AppState, token: &SecretHash) -> String {
    if let Ok(Some(_)) = state.store.session_by_token(token).await {
        return "this is a session token; this call needs the installation token that POST \
                /v1/installation answered."
            .to_owned();
    }
    UNKNOWN_TOKEN.to_owned()
}

/// Why a secret that is no partner API key cannot be used as a provision credential now.
pub fn credential(grant: Option<&CredentialGrant>) -> String {
    use provisio_core::provision::CredentialStatus as C;
    let Some(grant) = grant else {
        return "no partner API key or provision credential matches this secret (a provision \
                shows its credential once, as credential.token_value)."
            .to_owned();
    };
    if let provisio_core::model::DeviceKey::OauthGrant(_) = grant.key {
        return "this OAuth access token's grant was revoked (by the operator, or its client \
                was CANCELLED)."
            .to_owned();
    }
    let expiry = timestamp(grant.expiry_time);
    match grant.status {
        C::PendingFirstUse | C::Expired => format!(
            "this provision credential expired unused at {expiry} UTC; PUT \
             {{\"status\":\"TOKEN_RESET_REQUESTED\"}} on the provision issues a new one."
        ),
        C::Revoked => "this provision credential was revoked (a token reset, a closure or a \
                       denial of the onboarding)."
            .to_owned(),
        C::Active => "this provision credential is active but cannot be used here.".to_owned(),
    }
}

pub const NO_DEVICE: &str = "this key has no device on this installation: register it with \
    POST /v1/device-server first.";

const UNKNOWN_TOKEN: &str = "this server never issued this token, or its session has ended \
    (DELETE /v1/session, a closed or failed provision, a reset).";

/// An address that the device does not permit.
pub fn address(seen: IpAddr, permitted: &IpPolicy) -> String {
    let allowed = match permitted {
        IpPolicy::Any => "any address".to_owned(),
        IpPolicy::Only(ips) => ips
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "the request came from {seen}, and the device this key registered permits {allowed} \
         (permitted_ips of POST /v1/device-server)."
    )
}

fn timestamp(at: Timestamp) -> String {
    provisio_wire::time::format(at.micros())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use provisio_core::crypto::SigningKey;

    use super::*;

    fn key_pair() -> (SigningKey, VerifyingKey) {
        let signing = SigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let pem = signing.public_key_pem().unwrap_or_else(|e| panic!("{e}"));
        let verifying = VerifyingKey::from_pem(&pem).unwrap_or_else(|e| panic!("{e}"));
        (signing, verifying)
    }

    fn explain(key: &VerifyingKey, body: &[u8], signed: &[u8], signing: &SigningKey) -> String {
        let sig = signing.sign(signed).unwrap_or_else(|e| panic!("{e}"));
        let err = key.verify(body, &sig).err().unwrap_or(CryptoError::Failed);
        signature(key, body, &sig, err)
    }

    #[test]
    fn near_misses_are_named() {
        let (signing, key) = key_pair();
        let body = br#"{"secret":"abc","n":1}"#;
        let told = explain(&key, body, b"{\"secret\":\"abc\",\"n\":1}\n", &signing);
        assert!(told.contains("followed by a newline"), "{told}");
        assert!(
            told.contains(&format!("{}-byte body", body.len())),
            "{told}"
        );
        assert!(told.contains(&key.fingerprint()), "{told}");

        let spaced = b"{\"secret\": \"abc\", \"n\": 1}";
        let told = explain(&key, spaced, body, &signing);
        assert!(told.contains("without spaces"), "{told}");
        let told = explain(&key, body, spaced, &signing);
        assert!(told.contains("json.dumps"), "{told}");
        assert_eq!(
            respaced(br#"{ "a" : "x, y: \"z\"" ,"b":[1, 2]}"#, b",", b":"),
            br#"{"a":"x, y: \"z\"","b":[1,2]}"#.to_vec()
        );

        let told = explain(&key, b"{\"a\":1}\n", b"{\"a\":1}", &signing);
        assert!(told.contains("without its trailing whitespace"), "{told}");

        let (other, _) = key_pair();
        let told = explain(&key, body, body, &other);
        assert!(told.contains("another installation's key"), "{told}");
        assert_eq!(
            signature(&key, body, "***", CryptoError::SignatureNotBase64),
            "X-Bunq-Client-Signature is not Base64."
        );
    }
}
