//! `provisio serve --seed FILE`: fixtures for repeatable CI, loaded into an empty store.
//!
//! ```json
//! {"partners": [{"name": "Acme BV", "api_key": "sandbox_acme0123456789abcdef",
//!                "oauth_callback_url": "https://acme.example/oauth/callback",
//!                "scenarios": ["active-user", "onboarding-user"]}]}
//! ```
//!
//! Each partner gets its API key (a generated one when none is given) and, with
//! `oauth_callback_url`, an active OAuth client with that callback URL; each scenario
//! provisions one user of that partner (`sandbox::scenarios`). The whole file is checked before
//! anything is written, and it is loaded only into a store without partners, so a restart on
//! the same data changes nothing.

use provisio_core::{
    model::{Environment, Partner, ProvisionId},
    provision::{oauth::validate_callback_url, record::Provision},
    secret::Secret,
    store::Store,
    text,
    time::Clock,
    DomainError,
};
use serde::Deserialize;

use crate::{
    context::partners::{create_partner, demo_api_key},
    sandbox::scenarios::{self, Runnable},
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    pub partners: Vec<SeedPartner>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPartner {
    pub name: String,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub oauth_callback_url: Option<String>,
    #[serde(default)]
    pub scenarios: Vec<String>,
}

/// What loading a seed did.
pub enum Seeded {
    /// The store already had partners: nothing was loaded.
    Skipped,
    Loaded(Vec<SeededPartner>),
}

pub struct SeededPartner {
    pub partner: Partner,
    /// The key, when the seed did not give one (generated, shown once).
    pub generated_key: Option<Secret>,
    pub provisions: Vec<(String, Provision)>,
}

/// A seed checked against every rule that needs no database.
struct Checked {
    name: String,
    api_key: Option<Secret>,
    callback_url: Option<String>,
    scenarios: Vec<(String, Runnable)>,
}

impl Seed {
    /// Reads a seed file's text; a mistake names the line and column.
    pub fn parse(text: &str) -> Result<Seed, String> {
        serde_json::from_str(text).map_err(|e| format!("not a valid seed: {e}"))
    }

    /// Checks every rule that needs no database, so a start can refuse a bad seed early.
    pub fn validate(&self, environment: Environment) -> Result<(), String> {
        self.check(environment).map(drop)
    }

    fn check(&self, environment: Environment) -> Result<Vec<Checked>, String> {
        self.partners
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let at = |what: &str, why: String| format!("partners[{i}].{what}: {why}");
                let name = text::required("name", Some(p.name.as_str()), 255)
                    .map_err(|e| at("name", e.to_string()))?;
                let api_key = p
                    .api_key
                    .as_deref()
                    .map(|key| demo_api_key(environment, key))
                    .transpose()
                    .map_err(|e| at("api_key", e))?;
                let callback_url = p
                    .oauth_callback_url
                    .as_deref()
                    .map(|url| validate_callback_url(url, true))
                    .transpose()
                    .map_err(|e| at("oauth_callback_url", e.to_string()))?;
                let scenarios = p
                    .scenarios
                    .iter()
                    .map(|s| {
                        Runnable::parse(s).map(|r| (s.clone(), r)).ok_or_else(|| {
                            at(
                                "scenarios",
                                format!(
                                    "{} is none of onboarding-user, active-user, failed-user, \
                                     closed-user",
                                    text::quoted(s)
                                ),
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Checked {
                    name,
                    api_key,
                    callback_url,
                    scenarios,
                })
            })
            .collect()
    }
}

/// Loads `seed` into `store` if it has no partners yet. A seed that breaks a rule is refused
/// whole, before anything is written.
pub async fn load(
    store: &dyn Store,
    clock: &dyn Clock,
    environment: Environment,
    seed: &Seed,
) -> Result<Seeded, DomainError> {
    let checked = seed.check(environment).map_err(DomainError::invalid)?;
    if !store.list_partners().await?.is_empty() {
        return Ok(Seeded::Skipped);
    }
    let mut loaded = Vec::with_capacity(checked.len());
    for p in checked {
        let (partner, generated_key) = match &p.api_key {
            Some(key) => {
                let public_uuid = provisio_core::ids::fresh_uuid().to_string();
                let partner = store
                    .create_partner(&p.name, &public_uuid, &key.hash(), clock.now())
                    .await
                    .map_err(|e| match e {
                        provisio_core::StoreError::UniqueViolation(_) => DomainError::invalid(
                            format!("the API key of {} is given twice", text::quoted(&p.name)),
                        ),
                        other => other.into(),
                    })?;
                (partner, None)
            }
            None => {
                let (partner, key) = create_partner(store, clock, environment, &p.name).await?;
                (partner, Some(key))
            }
        };
        if let Some(url) = &p.callback_url {
            scenarios::add_oauth_client(store, clock, partner.id, url).await?;
        }
        let mut provisions = Vec::with_capacity(p.scenarios.len());
        for (name, scenario) in p.scenarios {
            let provision = scenarios::run(store, clock, environment, partner.id, scenario).await?;
            provisions.push((name, provision));
        }
        loaded.push(SeededPartner {
            partner,
            generated_key,
            provisions,
        });
    }
    Ok(Seeded::Loaded(loaded))
}

/// One line per partner and provision, for the start-up output.
pub fn summary(seeded: &[SeededPartner]) -> Vec<String> {
    let mut lines = Vec::new();
    for s in seeded {
        lines.push(format!(
            "Seeded partner \"{}\" (UserCompany id {}).",
            s.partner.name, s.partner.id
        ));
        if let Some(key) = &s.generated_key {
            lines.push(format!(
                "  Its API key, shown only this once: {}",
                key.expose()
            ));
        }
        for (name, p) in &s.provisions {
            let ProvisionId(id) = p.id;
            let credential = p
                .credential
                .as_ref()
                .and_then(|c| c.token_value.as_deref())
                .map(|t| format!(", credential {t}"))
                .unwrap_or_default();
            lines.push(format!(
                "  {name}: provision {id} {}/{}{credential}",
                p.state.status, p.state.sub_status
            ));
        }
    }
    lines
}
