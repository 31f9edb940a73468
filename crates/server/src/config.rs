//! Server settings. The CLI fills these from flags and `PROVISIO_*` variables.

use std::time::Duration;

use provisio_core::model::Environment;

pub use crate::{dispatch::DeliveryConfig, worker::WorkerConfig};

/// `dev` forgives what a developer's first client gets wrong; `strict` applies bunq's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Strict,
}

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub environment: Environment,
    pub profile: Profile,
    /// Enforce devices' `permitted_ips` (J-10 asks for a switch for deployments behind proxies).
    /// Always on in `strict`.
    pub ip_checks: bool,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// How long one process may serve a session from memory before re-reading it. Bounds how
    /// late another process's logout is noticed.
    pub session_cache_ttl: Duration,
    /// Serve the HTTP API (the `api` and `all` roles).
    pub serve_api: bool,
    /// Run the background worker (the `worker` and `all` roles).
    pub run_workers: bool,
    pub worker: WorkerConfig,
    pub delivery: DeliveryConfig,
    /// Bearer token for the operator API under `/_provisio/`; generated at start when unset.
    pub admin_token: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            environment: Environment::Sandbox,
            profile: Profile::Dev,
            ip_checks: true,
            body_limit: 1024 * 1024,
            session_cache_ttl: Duration::from_secs(2),
            serve_api: true,
            run_workers: true,
            worker: WorkerConfig::default(),
            delivery: DeliveryConfig::default(),
            admin_token: None,
        }
    }
}

impl ServerConfig {
    pub fn ip_checks(&self) -> bool {
        self.ip_checks || self.profile == Profile::Strict
    }

    /// The operator API is a sandbox tool: a strict production deployment has none.
    pub fn admin_enabled(&self) -> bool {
        !(self.profile == Profile::Strict && self.environment == Environment::Production)
    }

    /// bunq's classic rate limits apply in `strict` (spec A.8; off by default, J-12).
    pub fn rate_limits(&self) -> bool {
        self.profile == Profile::Strict
    }

    /// Callback and webhook targets may be plain http to this machine only in `dev`.
    pub fn allow_loopback_http(&self) -> bool {
        self.profile == Profile::Dev
    }
}
