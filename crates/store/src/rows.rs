//! Parsing what the database returns: the helpers every domain's rows use. The rows
//! themselves live in their domain's folder (`context/rows.rs`, `provisioning/rows.rs`, …).

use provisio_core::{provision::UserVerifiedType, StoreError};

/// Stored data that does not parse, as an error of the query that read it (for code that runs
/// inside a transaction, where errors are sqlx's).
pub(crate) fn corrupt(err: StoreError) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(err))
}

/// Parses a stored enum, treating an unknown spelling as corruption.
pub(crate) fn parse<T>(parse: impl Fn(&str) -> Option<T>, text: &str) -> Result<T, StoreError> {
    parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown stored value {text:?}")))
}

/// The `users.kind` of a provisioned user.
pub(crate) fn user_kind(kind: &str) -> Result<UserVerifiedType, StoreError> {
    match kind {
        "PERSON" => Ok(UserVerifiedType::Person),
        "COMPANY" => Ok(UserVerifiedType::Company),
        other => Err(StoreError::Corrupt(format!(
            "provisioned user of kind {other}"
        ))),
    }
}
