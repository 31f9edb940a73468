//! Secrets at rest: a card's PAN and CVC2s are stored sealed (AES-256-GCM), never as they are.
//!
//! The key is kept apart from the rows it seals. provisio takes it from outside the database
//! when the operator gives one (`PROVISIO_SECRETS_KEY` or `--secrets-key-file`: 32 random
//! bytes as 64 hex digits); without one it derives it from the server's RSA key. That default
//! is honest about what it buys: the server key is in the same database, so a copy of the whole
//! database still opens the secrets; what it keeps out is a copy of the card tables alone (an
//! export, a log of a query, a backup of some tables) and anyone reading the rows without the
//! key table. Only a key given from outside makes a copied database alone useless.
//!
//! Each stored value names the key that sealed it (`sealed1.<key id>.<base64 nonce|ciphertext>`),
//! so a value sealed with another key is refused with a clear message instead of read as
//! garbage, and the store can re-seal values from a previous key (the derived one) under a new
//! one. Values are bound to their purpose (`cards.pan`, `card_cvc2s.cvc2`): a sealed CVC2 copied
//! into the PAN column does not open. A keyed hash (HMAC-SHA256) of the PAN stands beside its
//! ciphertext so the store can keep PANs unique without reading them.

use aws_lc_rs::{
    aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN},
    hkdf, hmac, rand,
};
use base64::{engine::general_purpose::STANDARD, Engine};

/// The prefix of every sealed value: the format's version.
const PREFIX: &str = "sealed1.";
/// HKDF's salt: fixed, so one input key always gives the same keys.
const SALT: &[u8] = b"provisio secrets at rest v1";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealingError {
    #[error("the secrets key must be 32 bytes written as 64 hex digits")]
    BadKey,
    #[error("a stored secret was sealed with another key (key id {0}); start with the key that sealed it")]
    OtherKey(String),
    #[error("a stored secret does not open: it was changed or belongs elsewhere")]
    Tampered,
    #[error("cannot seal a secret")]
    Seal,
}

/// The key that seals card secrets, with the key for their lookup hashes. Never printed.
pub struct SealingKey {
    id: String,
    aead: LessSafeKey,
    mac: hmac::Key,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &hkdf::Prk, info: &[u8], len: usize) -> Result<Vec<u8>, SealingError> {
    let mut out = vec![0u8; len];
    prk.expand(&[info], Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(|_| SealingError::BadKey)?;
    Ok(out)
}

impl SealingKey {
    /// Derives the keys from `material` with HKDF-SHA256: an operator's 32 random bytes, or
    /// (the default) the server key's PKCS#8 bytes.
    pub fn derive(material: &[u8]) -> Result<SealingKey, SealingError> {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, SALT).extract(material);
        let aead_bytes = expand(&prk, b"aes-256-gcm", 32)?;
        let mac_bytes = expand(&prk, b"hmac-sha256 lookup", 32)?;
        let id = hex::encode(expand(&prk, b"key id", 4)?);
        let unbound =
            UnboundKey::new(&AES_256_GCM, &aead_bytes).map_err(|_| SealingError::BadKey)?;
        Ok(SealingKey {
            id,
            aead: LessSafeKey::new(unbound),
            mac: hmac::Key::new(hmac::HMAC_SHA256, &mac_bytes),
        })
    }

    /// An operator's key: 64 hex digits (surrounding white space ignored, as a file has it).
    pub fn from_hex(text: &str) -> Result<SealingKey, SealingError> {
        let bytes = hex::decode(text.trim()).map_err(|_| SealingError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SealingError::BadKey);
        }
        SealingKey::derive(&bytes)
    }

    /// A short name of this key (not secret: 4 bytes of HKDF output), stored with each value.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `plain` sealed for `purpose`, as stored.
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String, SealingError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::fill(&mut nonce).map_err(|_| SealingError::Seal)?;
        let mut data = plain.as_bytes().to_vec();
        self.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut data,
            )
            .map_err(|_| SealingError::Seal)?;
        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&data);
        Ok(format!("{PREFIX}{}.{}", self.id, STANDARD.encode(stored)))
    }

    /// The plain value of `stored` (sealed for `purpose`). A value stored before sealing
    /// existed is returned as it is: the store seals those at start.
    pub fn open(&self, purpose: &str, stored: &str) -> Result<String, SealingError> {
        let Some((id, body)) = sealed_parts(stored) else {
            return Ok(stored.to_owned());
        };
        if id != self.id {
            return Err(SealingError::OtherKey(id.to_owned()));
        }
        let mut data = STANDARD.decode(body).map_err(|_| SealingError::Tampered)?;
        if data.len() < NONCE_LEN {
            return Err(SealingError::Tampered);
        }
        let mut ciphertext = data.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&data).map_err(|_| SealingError::Tampered)?;
        let plain = self
            .aead
            .open_in_place(nonce, Aad::from(purpose.as_bytes()), &mut ciphertext)
            .map_err(|_| SealingError::Tampered)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SealingError::Tampered)
    }

    /// The keyed hash of `plain` for `purpose`, as hex: equal values hash alike, and without
    /// the key nobody can test a guess (a PAN has few enough digits to guess unkeyed).
    pub fn digest(&self, purpose: &str, plain: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.mac);
        ctx.update(purpose.as_bytes());
        ctx.update(b"\0");
        ctx.update(plain.as_bytes());
        hex::encode(ctx.sign().as_ref())
    }

    /// Whether `stored` is sealed with this key (and so needs no re-sealing).
    pub fn sealed_here(&self, stored: &str) -> bool {
        sealed_parts(stored).is_some_and(|(id, _)| id == self.id)
    }
}

/// The key id and the Base64 body of a sealed value; `None` for a plain one.
fn sealed_parts(stored: &str) -> Option<(&str, &str)> {
    stored.strip_prefix(PREFIX)?.split_once('.')
}

/// Whether `stored` is sealed (by any key).
pub fn is_sealed(stored: &str) -> bool {
    sealed_parts(stored).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SealingKey {
        SealingKey::derive(&[byte; 32]).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_purpose() {
        let (k, other) = (key(1), key(2));
        let sealed = k.seal("cards.pan", "5100001234567890").unwrap_or_default();
        assert!(!sealed.contains("5100001234567890"));
        assert!(is_sealed(&sealed) && k.sealed_here(&sealed) && !other.sealed_here(&sealed));
        assert_eq!(
            k.open("cards.pan", &sealed).as_deref(),
            Ok("5100001234567890")
        );
        assert_eq!(
            k.open("card_cvc2s.cvc2", &sealed),
            Err(SealingError::Tampered)
        );
        assert_eq!(
            other.open("cards.pan", &sealed),
            Err(SealingError::OtherKey(k.id().to_owned()))
        );
        // Sealing twice gives two values (a fresh nonce each time).
        assert_ne!(
            sealed,
            k.seal("cards.pan", "5100001234567890").unwrap_or_default()
        );
    }

    #[test]
    fn a_changed_value_does_not_open() {
        let k = key(1);
        let sealed = k.seal("cards.pan", "5100001234567890").unwrap_or_default();
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap_or_default();
        assert_eq!(k.open("cards.pan", &changed), Err(SealingError::Tampered));
    }

    #[test]
    fn a_plain_value_reads_as_it_is_and_digests_are_keyed() {
        let (k, other) = (key(1), key(2));
        assert_eq!(k.open("cards.pan", "123").as_deref(), Ok("123"));
        assert_eq!(k.digest("cards.pan", "1"), k.digest("cards.pan", "1"));
        assert_ne!(k.digest("cards.pan", "1"), other.digest("cards.pan", "1"));
    }

    #[test]
    fn an_operator_key_is_64_hex_digits() {
        assert!(SealingKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(SealingKey::from_hex(&format!("{}\n", "ab".repeat(32))).is_ok());
        assert_eq!(
            SealingKey::from_hex("abcd").err(),
            Some(SealingError::BadKey)
        );
        assert_eq!(
            SealingKey::from_hex(&"zz".repeat(32)).err(),
            Some(SealingError::BadKey)
        );
    }
}
