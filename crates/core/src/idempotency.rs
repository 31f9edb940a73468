//! Idempotent retries by `X-Bunq-Client-Request-Id`.
//!
//! A write whose COMMIT's answer was lost (the database went away at that moment) cannot tell
//! its client whether the money moved. The client may retry with the same
//! `X-Bunq-Client-Request-Id`: a write that opted in records its [`IdempotencyKey`] in the
//! transaction that moves the money, so a commit that happened has its key and one that did not
//! has none. The retry then finds the key and answers the first outcome instead of paying twice.
//!
//! The key names who asked (a hash of the credential the request carried: the session token on
//! bunq's routes, the admin token on the operator's), which request, where (method and path) and,
//! apart, what was asked (a hash of the body): the same key with another body is refused.
//! Nothing secret is kept: only hashes.

use std::time::Duration;

use aws_lc_rs::digest::{Context, SHA256};

/// How long a key is remembered (on the virtual clock): a retry later than this is a new
/// request.
pub const KEPT_FOR: Duration = Duration::from_secs(24 * 60 * 60);

/// A write's idempotency key and the hash of the body it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// SHA-256 (hex) of the caller's credential, the request id, the method and the path.
    pub key: String,
    /// SHA-256 (hex) of the request's body, as it was read.
    pub body: String,
}

impl IdempotencyKey {
    /// The key of a request from the caller holding `credential`, with `request_id`, to
    /// `method` `path`, carrying `body`.
    pub fn new(credential: &str, request_id: &str, method: &str, path: &str, body: &[u8]) -> Self {
        let mut key = Context::new(&SHA256);
        // Each part is length-prefixed, so no two different lists of parts hash alike.
        for part in [credential, request_id, method, path] {
            key.update(&(part.len() as u64).to_be_bytes());
            key.update(part.as_bytes());
        }
        IdempotencyKey {
            key: hex::encode(key.finish()),
            body: hex::encode(aws_lc_rs::digest::digest(&SHA256, body)),
        }
    }
}

/// The refusal of a retry whose body is not the first request's.
pub const OTHER_BODY: &str = "This X-Bunq-Client-Request-Id was already used by this caller on \
     this route with another body; a retry must send the same body, and a new request a new \
     X-Bunq-Client-Request-Id.";

#[cfg(test)]
mod tests {
    use super::IdempotencyKey;

    #[test]
    fn every_part_of_the_key_counts() {
        let key = |c: &str, r: &str, m: &str, p: &str| IdempotencyKey::new(c, r, m, p, b"{}").key;
        let base = key(
            "token",
            "req-1",
            "POST",
            "/v1/user/1/monetary-account/2/payment",
        );
        assert_eq!(
            base,
            key(
                "token",
                "req-1",
                "POST",
                "/v1/user/1/monetary-account/2/payment"
            )
        );
        assert_ne!(
            base,
            key(
                "other",
                "req-1",
                "POST",
                "/v1/user/1/monetary-account/2/payment"
            )
        );
        assert_ne!(
            base,
            key(
                "token",
                "req-2",
                "POST",
                "/v1/user/1/monetary-account/2/payment"
            )
        );
        assert_ne!(
            base,
            key(
                "token",
                "req-1",
                "PUT",
                "/v1/user/1/monetary-account/2/payment"
            )
        );
        assert_ne!(
            base,
            key(
                "token",
                "req-1",
                "POST",
                "/v1/user/1/monetary-account/3/payment"
            )
        );
        // Moving a character from one part to the next is another key.
        assert_ne!(key("ab", "c", "POST", "/"), key("a", "bc", "POST", "/"));
    }

    #[test]
    fn the_body_is_hashed_apart() {
        let a = IdempotencyKey::new("t", "r", "POST", "/p", b"{\"a\":1}");
        let b = IdempotencyKey::new("t", "r", "POST", "/p", b"{\"a\":2}");
        assert_eq!(a.key, b.key);
        assert_ne!(a.body, b.body);
    }
}
