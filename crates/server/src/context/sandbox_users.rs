//! Creating sandbox users (`POST /v1/sandbox-user-person`, `-company`): a partner with its API
//! key and main account that is also a bunq person or company others can pay by email or phone.

use provisio_core::{
    model::Environment,
    sandbox_user::{generate, SandboxUser, SandboxUserKind},
    secret::Secret,
    store::Store,
    time::Clock,
    DomainError, StoreError,
};

/// How often a user is drawn again when its phone number is taken (eight random digits).
const ATTEMPTS: usize = 5;

/// Creates a sandbox user of `kind` with one API key, returned in the clear this once.
pub async fn create_sandbox_user(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: Environment,
    kind: SandboxUserKind,
) -> Result<(SandboxUser, Secret), DomainError> {
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let user = generate(kind, provisio_core::ids::fresh_uuid());
        let api_key = Secret::generate(environment.api_key_prefix());
        match store
            .create_sandbox_user(&user, &api_key.hash(), clock.now())
            .await
        {
            Ok(created) => return Ok((created, api_key)),
            Err(err @ StoreError::UniqueViolation(_)) => last = Some(err),
            Err(err) => return Err(err.into()),
        }
    }
    Err(last
        .map(DomainError::from)
        .unwrap_or_else(|| DomainError::invalid("No sandbox user could be created.")))
}
