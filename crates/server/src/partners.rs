//! Creating partners: shared by the CLI and the first-start demo partner.

use provisio_core::{
    model::{Environment, Partner, UserId},
    secret::Secret,
    store::Store,
    time::Clock,
    DomainError,
};

const MAX_NAME: usize = 255;

/// Creates a partner with one API key, returned in the clear this once.
pub async fn create_partner(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: Environment,
    name: &str,
) -> Result<(Partner, Secret), DomainError> {
    let name = provisio_core::text::required("The partner name", Some(name), MAX_NAME)?;
    let name = name.as_str();
    let api_key = Secret::generate(environment.api_key_prefix());
    let public_uuid = uuid::Uuid::new_v4().to_string();
    let partner = store
        .create_partner(name, &public_uuid, &api_key.hash(), clock.now())
        .await?;
    Ok((partner, api_key))
}

/// Issues another API key for a partner (for rotation), returned in the clear this once.
pub async fn add_api_key(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: Environment,
    partner: UserId,
) -> Result<Secret, DomainError> {
    let api_key = Secret::generate(environment.api_key_prefix());
    if store
        .add_api_key(partner, &api_key.hash(), clock.now())
        .await?
    {
        Ok(api_key)
    } else {
        Err(DomainError::not_found("Partner"))
    }
}
