//! The server's RSA key and the signing of responses (spec A.10).
//!
//! Every response body is signed (RSA-SHA256, PKCS#1 v1.5). That signature costs most of a
//! millisecond of CPU, and PKCS#1 v1.5 is deterministic, so signatures of recent bodies are
//! kept by the SHA-256 of the body: a partner polling an unchanged object is answered without
//! signing again.

use std::sync::Arc;

use aws_lc_rs::digest;
use provisio_core::{
    crypto::{CryptoError, SigningKey},
    sealing::{SealingError, SealingKey},
    store::Store,
    time::Clock,
    StoreError,
};
use quick_cache::sync::Cache;

/// How many recent body signatures to keep (about 200 bytes each).
const SIGNATURE_CACHE_ENTRIES: usize = 16_384;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read or store the server key: {0}")]
    Store(#[from] StoreError),
    #[error("the server key is unusable: {0}")]
    Crypto(#[from] CryptoError),
    #[error("cannot set up the metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("cannot seal card secrets: {0}")]
    Sealing(#[from] SealingError),
    #[error("cannot seal card secrets: {0}")]
    Secrets(#[source] StoreError),
}

/// Loads the server key from the store, creating and persisting one on the very first start.
/// Concurrent first starts on one database agree on a single key.
pub async fn load_server_key(store: &dyn Store, clock: &dyn Clock) -> Result<SigningKey, KeyError> {
    let pkcs8 = match store.server_key().await? {
        Some(pkcs8) => pkcs8,
        None => {
            let candidate = SigningKey::generate()?.to_pkcs8()?;
            store.server_key_or_insert(&candidate, clock.now()).await?
        }
    };
    let key = SigningKey::from_pkcs8(&pkcs8)?;
    // The first RSA operation of a process pays for seeding the RNG and detecting CPU
    // features; pay it here, before any request is accepted.
    key.sign(b"warm-up")?;
    Ok(key)
}

/// Seals the card secrets stored in plain text (or under the derived key, once an operator
/// gives one) and hands the store its sealing key. The key is the operator's when given (kept
/// out of the database, so a copy of the database alone opens nothing); otherwise derived from
/// the server key, which a copy of the whole database carries (see `provisio_core::sealing`).
pub async fn seal_card_secrets(
    store: &dyn Store,
    server_key: &SigningKey,
    given: Option<Arc<SealingKey>>,
) -> Result<(), KeyError> {
    let derived = Arc::new(SealingKey::derive(&server_key.to_pkcs8()?)?);
    let (key, previous) = match given {
        Some(given) => (given, Some(derived)),
        None => (derived, None),
    };
    let sealed = store
        .seal_card_secrets(key, previous)
        .await
        .map_err(KeyError::Secrets)?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed card secrets stored before");
    }
    Ok(())
}

pub struct ResponseSigner {
    key: SigningKey,
    public_key_pem: String,
    recent: Cache<[u8; 32], Arc<str>>,
    /// Observes the time of each signature actually computed.
    timing: Option<prometheus::Histogram>,
}

impl ResponseSigner {
    pub fn new(key: SigningKey) -> Self {
        let public_key_pem = key.public_key_pem().unwrap_or_default();
        ResponseSigner {
            key,
            public_key_pem,
            recent: Cache::new(SIGNATURE_CACHE_ENTRIES),
            timing: None,
        }
    }

    /// The server's private key, which also unwraps the AES keys of encrypted requests.
    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// The Base64 signature of `body`, from the cache when this body was signed recently.
    pub fn sign(&self, body: &[u8]) -> Result<Arc<str>, CryptoError> {
        let mut fingerprint = [0u8; 32];
        fingerprint.copy_from_slice(digest::digest(&digest::SHA256, body).as_ref());
        self.recent.get_or_insert_with(&fingerprint, || {
            let _timer = self.timing.as_ref().map(|h| h.start_timer());
            self.key.sign(body).map(Arc::from)
        })
    }

    /// The same signer, its signing time observed by `histogram`.
    pub fn timed(mut self, histogram: prometheus::Histogram) -> Self {
        self.timing = Some(histogram);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_signed_recently_is_not_signed_again() {
        let signer = ResponseSigner::new(SigningKey::generate().unwrap_or_else(|e| panic!("{e}")));
        let first = signer
            .sign(b"{\"Response\":[]}")
            .unwrap_or_else(|e| panic!("{e}"));
        let again = signer
            .sign(b"{\"Response\":[]}")
            .unwrap_or_else(|e| panic!("{e}"));
        // The same allocation: served from the cache, not recomputed.
        assert!(Arc::ptr_eq(&first, &again));
        let other = signer
            .sign(b"{\"Response\":[{}]}")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(first, other);
    }
}
