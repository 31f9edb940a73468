//! Server settings. The CLI fills these from flags and `PROVISIO_*` variables.

use std::time::Duration;

use provisio_core::model::Environment;

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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            environment: Environment::Sandbox,
            profile: Profile::Dev,
            ip_checks: true,
            body_limit: 1024 * 1024,
            session_cache_ttl: Duration::from_secs(2),
        }
    }
}

impl ServerConfig {
    pub fn ip_checks(&self) -> bool {
        self.ip_checks || self.profile == Profile::Strict
    }
}
