//! Header names (lower case, as HTTP/2 and the `http` crate want them; HTTP is case-insensitive).

pub const CLIENT_AUTHENTICATION: &str = "x-bunq-client-authentication";
pub const CLIENT_SIGNATURE: &str = "x-bunq-client-signature";
pub const CLIENT_REQUEST_ID: &str = "x-bunq-client-request-id";
pub const CLIENT_RESPONSE_ID: &str = "x-bunq-client-response-id";
pub const SERVER_SIGNATURE: &str = "x-bunq-server-signature";
pub const LANGUAGE: &str = "x-bunq-language";
pub const REGION: &str = "x-bunq-region";
pub const GEOLOCATION: &str = "x-bunq-geolocation";
pub const ATTACHMENT_DESCRIPTION: &str = "x-bunq-attachment-description";
/// Application-layer encryption (spec A.11): the wrapped AES key, the IV and the HMAC, Base64.
pub const CLIENT_ENCRYPTION_KEY: &str = "x-bunq-client-encryption-key";
pub const CLIENT_ENCRYPTION_IV: &str = "x-bunq-client-encryption-iv";
pub const CLIENT_ENCRYPTION_HMAC: &str = "x-bunq-client-encryption-hmac";
pub const SERVER_ENCRYPTION_KEY: &str = "x-bunq-server-encryption-key";
pub const SERVER_ENCRYPTION_IV: &str = "x-bunq-server-encryption-iv";
pub const SERVER_ENCRYPTION_HMAC: &str = "x-bunq-server-encryption-hmac";
