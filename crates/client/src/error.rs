use provisio_core::{crypto::CryptoError, encryption::OpenError};
use provisio_wire::ErrorEnvelope;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server refused the request; `description` is bunq's `error_description`.
    #[error("HTTP {status}: {description}")]
    Api {
        status: u16,
        description: String,
        envelope: Option<ErrorEnvelope>,
    },
    #[error("the response carries no X-Bunq-Server-Signature")]
    MissingSignature,
    #[error("the response's X-Bunq-Server-Signature does not verify with the server key")]
    BadSignature,
    #[error("unexpected response: {0}")]
    Unexpected(String),
    #[error("cannot reach the server: {0}")]
    Transport(#[from] reqwest::Error),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error("the encrypted answer does not open: {0}")]
    Encryption(#[from] OpenError),
}

impl ClientError {
    /// The HTTP status of an API refusal.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn description(&self) -> Option<&str> {
        match self {
            ClientError::Api { description, .. } => Some(description),
            _ => None,
        }
    }
}
