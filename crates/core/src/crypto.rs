//! RSA as bunq uses it: RSA-2048 keys, PKCS#1 v1.5 signatures with SHA-256 over the exact
//! body bytes, Base64 on the wire (`X-Bunq-Client-Signature`, `X-Bunq-Server-Signature`).
//!
//! The same keys also wrap the AES keys of bunq's application-layer encryption (RSA PKCS#1
//! v1.5 encryption; see [`crate::encryption`]).
//!
//! Both sides live here so the server, the client and the tests agree by construction.

use std::fmt;

use aws_lc_rs::{
    encoding::{AsDer, Pkcs8V1Der},
    rand::SystemRandom,
    rsa::{
        KeyPair, KeySize, Pkcs1PrivateDecryptingKey, Pkcs1PublicEncryptingKey,
        PrivateDecryptingKey, PublicEncryptingKey, PublicKey,
    },
    signature::{self, KeyPair as _, ParsedPublicKey, RsaParameters},
};
use base64::{engine::general_purpose::STANDARD as BASE64, Engine as _};

/// Smallest modulus bunq accepts for a client key.
pub const MIN_KEY_BITS: u32 = 2048;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("not a PEM-encoded RSA public key")]
    NotAPublicKeyPem,
    #[error("the RSA key is {0} bits; at least 2048 are required")]
    KeyTooSmall(u32),
    #[error("not a valid RSA private key")]
    BadPrivateKey,
    #[error("the signature is not valid Base64")]
    SignatureNotBase64,
    #[error("the signature does not match")]
    SignatureMismatch,
    #[error("RSA operation failed")]
    Failed,
}

/// An RSA private key that signs bodies: the server's key, or a client's installation key.
/// It also unwraps the AES keys that were encrypted to its public half.
pub struct SigningKey {
    pair: KeyPair,
    rng: SystemRandom,
    /// The same key as aws-lc's decryption type: parsed once, not per encrypted request.
    decrypting: Pkcs1PrivateDecryptingKey,
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey, CryptoError> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| CryptoError::Failed)?;
        SigningKey::from_pair(pair)
    }

    pub fn from_pkcs8(der: &[u8]) -> Result<SigningKey, CryptoError> {
        let pair = KeyPair::from_pkcs8(der).map_err(|_| CryptoError::BadPrivateKey)?;
        SigningKey::from_pair(pair)
    }

    fn from_pair(pair: KeyPair) -> Result<SigningKey, CryptoError> {
        let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| CryptoError::Failed)?;
        let decrypting = PrivateDecryptingKey::from_pkcs8(der.as_ref())
            .ok()
            .and_then(|key| Pkcs1PrivateDecryptingKey::new(key).ok())
            .ok_or(CryptoError::BadPrivateKey)?;
        Ok(SigningKey {
            pair,
            rng: SystemRandom::new(),
            decrypting,
        })
    }

    /// The key that unwraps what was encrypted to this key's public half (PKCS#1 v1.5).
    pub(crate) fn decrypting(&self) -> &Pkcs1PrivateDecryptingKey {
        &self.decrypting
    }

    /// The private key as unencrypted PKCS#8 DER, for persisting.
    pub fn to_pkcs8(&self) -> Result<Vec<u8>, CryptoError> {
        let der: Pkcs8V1Der<'static> = self.pair.as_der().map_err(|_| CryptoError::Failed)?;
        Ok(der.as_ref().to_vec())
    }

    /// The public half, as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), the form bunq exchanges.
    pub fn public_key_pem(&self) -> Result<String, CryptoError> {
        spki_pem(self.pair.public_key())
    }

    /// Base64 RSA-SHA256 PKCS#1 v1.5 signature of `body`.
    pub fn sign(&self, body: &[u8]) -> Result<String, CryptoError> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(&signature::RSA_PKCS1_SHA256, &self.rng, body, &mut sig)
            .map_err(|_| CryptoError::Failed)?;
        Ok(BASE64.encode(sig))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(<private>)")
    }
}

/// An RSA public key that checks signatures, and wraps AES keys for its holder. Parsed once;
/// verifying and wrapping are then cheap.
pub struct VerifyingKey {
    parsed: ParsedPublicKey,
    encrypting: Pkcs1PublicEncryptingKey,
    pem: String,
}

impl VerifyingKey {
    /// Accepts SPKI (`BEGIN PUBLIC KEY`) and PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM, as bunq does.
    /// Keys under 2048 bits are refused.
    pub fn from_pem(pem_text: &str) -> Result<VerifyingKey, CryptoError> {
        let block = pem::parse(pem_text.trim()).map_err(|_| CryptoError::NotAPublicKeyPem)?;
        if !matches!(block.tag(), "PUBLIC KEY" | "RSA PUBLIC KEY") {
            return Err(CryptoError::NotAPublicKeyPem);
        }
        let key =
            PublicKey::from_der(block.contents()).map_err(|_| CryptoError::NotAPublicKeyPem)?;
        let bits = RsaParameters::public_modulus_len(key.as_ref())
            .map_err(|_| CryptoError::NotAPublicKeyPem)?;
        if bits < MIN_KEY_BITS {
            return Err(CryptoError::KeyTooSmall(bits));
        }
        let spki = key.as_der().map_err(|_| CryptoError::Failed)?;
        let pem = spki_pem(&key)?;
        let parsed = ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, key.as_ref())
            .map_err(|_| CryptoError::NotAPublicKeyPem)?;
        let encrypting = PublicEncryptingKey::from_der(spki.as_ref())
            .ok()
            .and_then(|key| Pkcs1PublicEncryptingKey::new(key).ok())
            .ok_or(CryptoError::NotAPublicKeyPem)?;
        Ok(VerifyingKey {
            parsed,
            encrypting,
            pem,
        })
    }

    /// The key that wraps AES keys for this key's holder (PKCS#1 v1.5).
    pub(crate) fn encrypting(&self) -> &Pkcs1PublicEncryptingKey {
        &self.encrypting
    }

    /// The key, normalised to SPKI PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// SHA-256 of the key's SPKI DER in hex, as `openssl pkey -pubin -outform DER | sha256sum`
    /// prints it: how a client tells which of its keys this is.
    pub fn fingerprint(&self) -> String {
        let der = pem::parse(&self.pem)
            .map(|block| block.into_contents())
            .unwrap_or_default();
        hex::encode(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der))
    }

    /// Checks a Base64 signature over `body`.
    pub fn verify(&self, body: &[u8], signature_b64: &str) -> Result<(), CryptoError> {
        let sig = BASE64
            .decode(signature_b64.trim())
            .map_err(|_| CryptoError::SignatureNotBase64)?;
        self.parsed
            .verify_sig(body, &sig)
            .map_err(|_| CryptoError::SignatureMismatch)
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey").finish_non_exhaustive()
    }
}

fn spki_pem(key: &PublicKey) -> Result<String, CryptoError> {
    let der = key.as_der().map_err(|_| CryptoError::Failed)?;
    let block = pem::Pem::new("PUBLIC KEY", der.as_ref().to_vec());
    Ok(pem::encode_config(
        &block,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::generate().unwrap_or_else(|e| panic!("keygen: {e}"))
    }

    #[test]
    fn a_signature_verifies_with_the_public_key_and_only_over_the_same_body() {
        let key = key();
        let public = VerifyingKey::from_pem(&key.public_key_pem().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        let sig = key.sign(b"{\"a\":1}").unwrap_or_default();
        assert_eq!(public.verify(b"{\"a\":1}", &sig), Ok(()));
        assert_eq!(
            public.verify(b"{\"a\":2}", &sig),
            Err(CryptoError::SignatureMismatch)
        );
        assert_eq!(
            public.verify(b"{\"a\":1}", "not base64!"),
            Err(CryptoError::SignatureNotBase64)
        );
    }

    #[test]
    fn pkcs1_v15_is_deterministic() {
        let key = key();
        assert_eq!(key.sign(b"same").ok(), key.sign(b"same").ok());
    }

    #[test]
    fn pkcs1_pem_is_accepted_and_normalised_to_spki() {
        let key = key();
        let spki = key.public_key_pem().unwrap_or_default();
        let spki_der = pem::parse(&spki).unwrap_or_else(|e| panic!("{e}"));
        let rsa_der = PublicKey::from_der(spki_der.contents()).unwrap_or_else(|e| panic!("{e}"));
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", rsa_der.as_ref().to_vec()));
        let parsed = VerifyingKey::from_pem(&pkcs1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.pem(), spki);
    }

    #[test]
    fn private_keys_round_trip_through_pkcs8() {
        let key = key();
        let again = SigningKey::from_pkcs8(&key.to_pkcs8().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.public_key_pem(), again.public_key_pem());
    }

    #[test]
    fn garbage_and_non_rsa_pem_are_refused() {
        assert!(VerifyingKey::from_pem("hello").is_err());
        let cert = pem::encode(&pem::Pem::new("CERTIFICATE", vec![1, 2, 3]));
        assert_eq!(
            VerifyingKey::from_pem(&cert).err(),
            Some(CryptoError::NotAPublicKeyPem)
        );
        let junk = pem::encode(&pem::Pem::new("PUBLIC KEY", vec![1, 2, 3]));
        assert_eq!(
            VerifyingKey::from_pem(&junk).err(),
            Some(CryptoError::NotAPublicKeyPem)
        );
    }
}
