//! Bearer secrets: installation and session tokens, partner API keys.
//!
//! Each is 32 random bytes as 64 lowercase hex characters (bunq's format), shown to its owner
//! exactly once and stored only as a SHA-256 hash. A plain hash is the right tool here: the
//! secrets carry 256 bits of entropy, so a slow password hash would buy nothing but latency.

use std::fmt;

use aws_lc_rs::{
    digest,
    rand::{SecureRandom, SystemRandom},
};

/// A secret in the clear. `Debug` never prints it, so it cannot leak through logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A fresh 64-hex token, optionally behind a prefix (`sandbox_` for sandbox API keys).
    pub fn generate(prefix: &str) -> Secret {
        let mut bytes = [0u8; 32];
        // The system RNG only fails if the OS has no entropy source at all, in which case
        // nothing secure can be done; refuse loudly rather than hand out weak tokens.
        #[allow(clippy::expect_used)]
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system's random number generator failed");
        Secret(format!("{prefix}{}", hex::encode(bytes)))
    }

    /// Wraps a secret received from a client.
    pub fn from_client(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The SHA-256 of a secret, hex-encoded: what the store keeps and looks secrets up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(secret: &str) -> SecretHash {
        let digest = digest::digest(&digest::SHA256, secret.as_bytes());
        // Into a buffer, not `hex::encode` (a character at a time into a growing String):
        // every authenticated request hashes its token.
        let mut text = [0_u8; 64];
        let encoded = hex::encode_to_slice(digest, &mut text).ok();
        match encoded.and_then(|()| std::str::from_utf8(&text).ok()) {
            Some(hex) => SecretHash(hex.to_owned()),
            None => SecretHash(hex::encode(digest)),
        }
    }

    /// Rebuilds a hash read back from storage.
    pub fn from_stored(hex: String) -> SecretHash {
        SecretHash(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_64_lowercase_hex_after_the_prefix() {
        let token = Secret::generate("sandbox_");
        let hex = token.expose().strip_prefix("sandbox_").unwrap_or_default();
        assert_eq!(hex.len(), 64);
        assert!(hex
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert_ne!(Secret::generate("").expose(), Secret::generate("").expose());
    }

    #[test]
    fn debug_does_not_reveal_the_secret() {
        let token = Secret::generate("");
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn hash_is_stable_and_differs_from_the_secret() {
        let token = Secret::from_client("abc");
        assert_eq!(token.hash(), SecretHash::of("abc"));
        assert_eq!(
            token.hash().as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
