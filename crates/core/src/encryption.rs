//! bunq's application-layer encryption (spec A.11), both directions.
//!
//! A body is sealed for a recipient with a fresh AES-256 key and IV: AES-256-CBC with PKCS#7
//! padding over the body (an empty body still gives one block), the AES key wrapped with the
//! recipient's RSA public key (PKCS#1 v1.5), and HMAC-SHA1 keyed with the raw AES key over
//! `IV ‖ ciphertext`, as bunq's SDKs compute it. On the wire the body is the ciphertext and the
//! wrapped key, IV and HMAC travel Base64 in `X-Bunq-{Client,Server}-Encryption-{Key,Iv,Hmac}`.
//!
//! Opening checks the HMAC (in constant time) before it decrypts: encrypt-then-MAC, so a
//! tampered ciphertext is refused without ever reaching the padding check. The raw AES key
//! exists only inside [`seal`] and [`open`]; nothing here formats or logs it.

use std::fmt;

use aws_lc_rs::{
    cipher::{
        DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey,
        UnboundCipherKey, AES_256,
    },
    hmac,
    rand::{SecureRandom, SystemRandom},
};

use crate::crypto::{CryptoError, SigningKey, VerifyingKey};

pub const AES_KEY_LEN: usize = 32;
pub const IV_LEN: usize = 16;

/// A body sealed for one recipient: what goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The AES key, RSA-encrypted to the recipient.
    pub wrapped_key: Vec<u8>,
    pub iv: [u8; IV_LEN],
    /// HMAC-SHA1 over `iv ‖ ciphertext`, keyed with the AES key.
    pub hmac: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("ciphertext_len", &self.ciphertext.len())
            .finish_non_exhaustive()
    }
}

/// Why a sealed body does not open. Each is the sender's mistake (or tampering): a 400.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("the encrypted AES key does not decrypt to a 32-byte key with this RSA key")]
    KeyNotUnwrapped,
    #[error("the IV is {0} bytes; AES-CBC takes 16")]
    IvLength(usize),
    #[error("the HMAC does not match the IV and the ciphertext")]
    HmacMismatch,
    #[error("the ciphertext does not decrypt to a PKCS#7-padded body")]
    BadCiphertext,
}

/// Seals `plaintext` (possibly empty) for the holder of `recipient`'s private key.
pub fn seal(recipient: &VerifyingKey, plaintext: &[u8]) -> Result<Sealed, CryptoError> {
    let rng = SystemRandom::new();
    let mut aes_key = [0u8; AES_KEY_LEN];
    let mut iv = [0u8; IV_LEN];
    rng.fill(&mut aes_key).map_err(|_| CryptoError::Failed)?;
    rng.fill(&mut iv).map_err(|_| CryptoError::Failed)?;
    let cipher = UnboundCipherKey::new(&AES_256, &aes_key)
        .and_then(PaddedBlockEncryptingKey::cbc_pkcs7)
        .map_err(|_| CryptoError::Failed)?;
    let mut ciphertext = plaintext.to_vec();
    cipher
        .less_safe_encrypt(&mut ciphertext, EncryptionContext::Iv128(iv.into()))
        .map_err(|_| CryptoError::Failed)?;
    let wrapper = recipient.encrypting();
    let mut wrapped_key = vec![0u8; wrapper.ciphertext_size()];
    let wrapped_len = wrapper
        .encrypt(&aes_key, &mut wrapped_key)
        .map_err(|_| CryptoError::Failed)?
        .len();
    wrapped_key.truncate(wrapped_len);
    let hmac = mac(&aes_key, &iv, &ciphertext).as_ref().to_vec();
    Ok(Sealed {
        wrapped_key,
        iv,
        hmac,
        ciphertext,
    })
}

/// Opens a body sealed for `key`'s holder: unwraps the AES key, checks the HMAC, decrypts.
pub fn open(
    key: &SigningKey,
    wrapped_key: &[u8],
    iv: &[u8],
    hmac_sent: &[u8],
    ciphertext: &[u8],
) -> Result<Vec<u8>, OpenError> {
    let iv: [u8; IV_LEN] = iv.try_into().map_err(|_| OpenError::IvLength(iv.len()))?;
    let unwrapper = key.decrypting();
    let mut unwrapped = vec![0u8; unwrapper.min_output_size()];
    let aes_key = unwrapper
        .decrypt(wrapped_key, &mut unwrapped)
        .map_err(|_| OpenError::KeyNotUnwrapped)?;
    if aes_key.len() != AES_KEY_LEN {
        return Err(OpenError::KeyNotUnwrapped);
    }
    let mut signed = Vec::with_capacity(IV_LEN + ciphertext.len());
    signed.extend_from_slice(&iv);
    signed.extend_from_slice(ciphertext);
    // `hmac::verify` compares in constant time.
    hmac::verify(
        &hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, aes_key),
        &signed,
        hmac_sent,
    )
    .map_err(|_| OpenError::HmacMismatch)?;
    let cipher = UnboundCipherKey::new(&AES_256, aes_key)
        .and_then(PaddedBlockDecryptingKey::cbc_pkcs7)
        .map_err(|_| OpenError::KeyNotUnwrapped)?;
    let mut buffer = ciphertext.to_vec();
    let plaintext_len = cipher
        .decrypt(&mut buffer, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| OpenError::BadCiphertext)?
        .len();
    buffer.truncate(plaintext_len);
    unwrapped.fill(0);
    Ok(buffer)
}

fn mac(aes_key: &[u8], iv: &[u8], ciphertext: &[u8]) -> hmac::Tag {
    let mut context = hmac::Context::with_key(&hmac::Key::new(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        aes_key,
    ));
    context.update(iv);
    context.update(ciphertext);
    context.sign()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (SigningKey, VerifyingKey) {
        let private = SigningKey::generate().unwrap_or_else(|e| panic!("{e}"));
        let public = VerifyingKey::from_pem(&private.public_key_pem().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        (private, public)
    }

    fn open_sealed(key: &SigningKey, s: &Sealed) -> Result<Vec<u8>, OpenError> {
        open(key, &s.wrapped_key, &s.iv, &s.hmac, &s.ciphertext)
    }

    #[test]
    fn a_sealed_body_opens_with_the_recipients_key_only() {
        let (private, public) = keys();
        let body = br#"{"description":"secret"}"#;
        let sealed = seal(&public, body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sealed.ciphertext.len(), 32, "24 bytes pad to two blocks");
        assert_eq!(sealed.wrapped_key.len(), 256);
        assert_eq!(sealed.hmac.len(), 20);
        assert_eq!(open_sealed(&private, &sealed), Ok(body.to_vec()));
        let (stranger, _) = keys();
        // A foreign key either fails to unwrap or unwraps noise that fails the HMAC.
        assert!(matches!(
            open_sealed(&stranger, &sealed),
            Err(OpenError::KeyNotUnwrapped | OpenError::HmacMismatch)
        ));
    }

    #[test]
    fn an_empty_body_is_one_block_and_opens_empty() {
        let (private, public) = keys();
        let sealed = seal(&public, b"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sealed.ciphertext.len(), 16);
        assert_eq!(open_sealed(&private, &sealed), Ok(Vec::new()));
    }

    #[test]
    fn tampering_is_caught_by_the_hmac_before_decryption() {
        let (private, public) = keys();
        let sealed = seal(&public, b"{}").unwrap_or_else(|e| panic!("{e}"));
        let mut flipped = sealed.clone();
        flipped.ciphertext[0] ^= 1;
        assert_eq!(
            open_sealed(&private, &flipped),
            Err(OpenError::HmacMismatch)
        );
        let mut other_iv = sealed.clone();
        other_iv.iv[15] ^= 1;
        assert_eq!(
            open_sealed(&private, &other_iv),
            Err(OpenError::HmacMismatch)
        );
        let short_iv = open(&private, &sealed.wrapped_key, &[0; 8], &sealed.hmac, b"");
        assert_eq!(short_iv, Err(OpenError::IvLength(8)));
        let garbage_key = open(&private, b"not a key", &sealed.iv, &sealed.hmac, b"");
        assert_eq!(garbage_key, Err(OpenError::KeyNotUnwrapped));
    }

    #[test]
    fn bad_padding_under_a_valid_hmac_is_refused() {
        let (private, public) = keys();
        let mut sealed = seal(&public, b"0123456789abcdef").unwrap_or_else(|e| panic!("{e}"));
        // Drop the padding block and re-MAC: authentic, but not PKCS#7 any more. Recover the
        // AES key the way the recipient does, to compute a valid HMAC.
        let mut unwrapped = vec![0u8; private.decrypting().min_output_size()];
        let aes_key = private
            .decrypting()
            .decrypt(&sealed.wrapped_key, &mut unwrapped)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_vec();
        sealed.ciphertext.truncate(16);
        sealed.hmac = mac(&aes_key, &sealed.iv, &sealed.ciphertext)
            .as_ref()
            .to_vec();
        assert_eq!(
            open_sealed(&private, &sealed),
            Err(OpenError::BadCiphertext)
        );
    }
}
