//! The domain's errors. The server maps each to exactly one bunq status code and message
//! (see `provisio-server`'s `http::error`); nothing else decides what a client sees.

use std::error::Error as StdError;

use crate::provision::Status;

/// Why a request was refused, in the domain's words.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Missing, unknown or expired token, or a token of the wrong kind (bunq: 401).
    #[error("Insufficient authorisation.")]
    Unauthorised,
    /// Unknown API key / credential, or a source IP the device does not permit (bunq: 400).
    #[error("User credentials are incorrect. Incorrect API key or IP address.")]
    BadCredentials,
    /// The operation needs `X-Bunq-Client-Signature` and it was not sent (bunq: 466, in
    /// bunq's words).
    #[error(
        "For this operation a request signature is required. Check the urls for more information."
    )]
    SignatureRequired,
    /// `X-Bunq-Client-Signature` does not verify against the installation's key (bunq: 401).
    #[error("The request signature is invalid.")]
    SignatureInvalid,
    /// The object does not exist or is not visible to the caller (bunq: 404).
    #[error("{0}")]
    NotFound(String),
    /// Invalid input or a business rule refused the request (bunq: 400).
    #[error("{0}")]
    Invalid(String),
    /// The storage layer failed; the cause is logged, never shown.
    #[error("storage failure")]
    Store(StoreError),
}

/// A storage refusal is the domain's refusal; anything else stays a storage failure.
impl From<StoreError> for DomainError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::UserFrozen(_) | StoreError::Refused(_) => {
                DomainError::Invalid(err.to_string())
            }
            other => DomainError::Store(other),
        }
    }
}

impl DomainError {
    pub fn invalid(message: impl Into<String>) -> Self {
        DomainError::Invalid(message.into())
    }

    pub fn not_found(what: &str) -> Self {
        DomainError::NotFound(format!("{what} not found."))
    }
}

/// What a change that met [`StoreError::Unavailable`] did, as far as this process knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing was changed: the failure came before the commit (an open transaction whose
    /// connection is lost is rolled back), or the commit failed as a whole (SQLite's).
    NotApplied,
    /// The COMMIT was sent and its answer lost (PostgreSQL's connection broke): the change may
    /// or may not have been applied. The server says so instead of "try again"; telling which
    /// it was (the idempotent retry by request id) is later work.
    Unknown,
}

impl StoreError {
    /// The database could not be reached in time; nothing was changed.
    pub fn unavailable(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        StoreError::Unavailable {
            outcome: Outcome::NotApplied,
            source: source.into(),
        }
    }
}

/// A storage backend failed. Unique violations are separated out so callers can turn them
/// into domain errors at the call site.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unique constraint violated")]
    UniqueViolation(#[source] Box<dyn StdError + Send + Sync>),
    #[error("database error")]
    Database(#[source] Box<dyn StdError + Send + Sync>),
    /// The database could not be reached in time: no connection within the pool's wait, the
    /// connection refused or lost, a statement or lock wait past its timeout. Transient: the
    /// server answers 503 and the client may try again.
    #[error("the database is unavailable ({outcome:?})")]
    Unavailable {
        outcome: Outcome,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A write to a user whose provision is CANCELLED, CLOSED or FAILED (see
    /// [`Status::freezes_user`]), refused inside the write's own transaction.
    #[error("This user's provision is {0}; the user can no longer be changed.")]
    UserFrozen(Status),
    /// A business rule checked inside the write's own transaction refused it (the message is
    /// the client's).
    #[error("{0}")]
    Refused(String),
}
