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
    let public_uuid = provisio_core::ids::fresh_uuid().to_string();
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

/// The partner `serve` creates on an empty store, so a newcomer has something to connect with.
pub const DEMO_PARTNER: &str = "Demo Partner";

/// What [`ensure_demo_partner`] did.
#[derive(Debug)]
pub enum DemoPartner {
    /// The store was empty: the demo partner exists now, with this key (the given one, or a
    /// new one to show this once).
    Created(Partner, Secret),
    /// The given key now also opens the existing demo partner.
    KeyAdded(Partner),
    /// The given key already opens this partner: nothing to do.
    KeyKnown(Partner),
    /// The store has partners but none named [`DEMO_PARTNER`]; the given key was not stored.
    Ignored,
    /// No key given and the store already has partners.
    Unchanged,
}

/// The demo partner on `serve`'s start. With a fixed `api_key` (`--demo-api-key`, for CI) the
/// key works after every start: it is seeded on an empty store, added to the demo partner of
/// a store that has one, and left alone when it already works.
pub async fn ensure_demo_partner(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: Environment,
    api_key: Option<Secret>,
) -> Result<DemoPartner, DomainError> {
    let partners = store.list_partners().await?;
    let Some(api_key) = api_key else {
        if !partners.is_empty() {
            return Ok(DemoPartner::Unchanged);
        }
        let (partner, key) = create_partner(store, clock, environment, DEMO_PARTNER).await?;
        return Ok(DemoPartner::Created(partner, key));
    };
    if let Some((partner, _)) = store.partner_by_api_key(&api_key.hash()).await? {
        return Ok(DemoPartner::KeyKnown(partner));
    }
    if partners.is_empty() {
        let public_uuid = provisio_core::ids::fresh_uuid().to_string();
        let partner = store
            .create_partner(DEMO_PARTNER, &public_uuid, &api_key.hash(), clock.now())
            .await
            .map_err(revoked)?;
        return Ok(DemoPartner::Created(partner, api_key));
    }
    let Some(demo) = partners.into_iter().find(|p| p.name == DEMO_PARTNER) else {
        return Ok(DemoPartner::Ignored);
    };
    store
        .add_api_key(demo.id, &api_key.hash(), clock.now())
        .await
        .map_err(revoked)?;
    Ok(DemoPartner::KeyAdded(demo))
}

/// A key that is stored but opens nothing was revoked; it cannot be given out again.
fn revoked(err: provisio_core::StoreError) -> DomainError {
    match err {
        provisio_core::StoreError::UniqueViolation(_) => {
            DomainError::invalid("The demo API key was revoked; choose another.")
        }
        other => other.into(),
    }
}

/// Characters a demo API key may use after its prefix, and how many.
const DEMO_KEY_CHARS: std::ops::RangeInclusive<usize> = 16..=128;

/// Checks a demo API key given on the command line: the environment's prefix (`sandbox_` in
/// the sandbox, none in production, as bunq's keys), then 16 to 128 of `A-Z a-z 0-9 _ -`.
pub fn demo_api_key(environment: Environment, key: &str) -> Result<Secret, String> {
    let prefix = environment.api_key_prefix();
    let rest = match environment {
        Environment::Sandbox => key
            .strip_prefix(prefix)
            .ok_or("a sandbox API key starts with sandbox_, as bunq's do")?,
        Environment::Production if key.starts_with("sandbox_") => {
            return Err("a production API key does not start with sandbox_".into())
        }
        Environment::Production => key,
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !DEMO_KEY_CHARS.contains(&rest.len()) || !rest.chars().all(allowed) {
        return Err(format!(
            "an API key is {} to {} characters of A-Z, a-z, 0-9, _ and - (after its prefix)",
            DEMO_KEY_CHARS.start(),
            DEMO_KEY_CHARS.end()
        ));
    }
    Ok(Secret::from_client(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_keys_carry_the_environments_prefix_and_a_sensible_body() {
        let hex = "0123456789abcdef0123456789abcdef";
        let sandbox = format!("sandbox_{hex}");
        assert!(demo_api_key(Environment::Sandbox, &sandbox).is_ok());
        assert!(demo_api_key(Environment::Sandbox, hex).is_err());
        assert!(demo_api_key(Environment::Production, hex).is_ok());
        assert!(demo_api_key(Environment::Production, &sandbox).is_err());
        assert!(demo_api_key(Environment::Sandbox, "sandbox_short").is_err());
        assert!(demo_api_key(Environment::Sandbox, "sandbox_ci key with spaces!!").is_err());
        assert!(demo_api_key(Environment::Sandbox, "").is_err());
        let long = format!("sandbox_{}", "a".repeat(129));
        assert!(demo_api_key(Environment::Sandbox, &long).is_err());
    }
}
